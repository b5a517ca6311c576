BeforeDiscovery {
    $cmdletNames = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../Mnesis.psd1')).CmdletsToExport
    Import-Module (Join-Path $PSScriptRoot '../tools/MarkdownHelp.psm1') -Force
    $examples = foreach ($file in Get-ChildItem (Join-Path $PSScriptRoot '../docs') -Filter '*-*.md') {
        $page = Read-CommandMarkdown $file.FullName
        foreach ($e in $page.Examples) { @{ Command = $page.Name; Title = $e.Title; Code = $e.Code } }
    }
}

BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    Import-Module (Join-Path $PSScriptRoot '../tools/MarkdownHelp.psm1') -Force
    $common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name
}

Describe 'Help for <_>' -ForEach $cmdletNames {
    BeforeAll {
        $name = $_
        $help = Get-Help $name -Full
        $command = Get-Command $name
        $page = Read-CommandMarkdown (Join-Path $PSScriptRoot "../docs/$name.md")
    }

    It 'has a synopsis and a description written for it' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$name *" -Because 'a generated synopsis is just the syntax'
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 80
    }

    It 'describes every parameter' {
        foreach ($parameter in $help.parameters.parameter) {
            ($parameter.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
        }
    }

    It 'has at least two examples' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.examples.example) { $example.code | Should -Not -BeNullOrEmpty }
    }

    It 'documents exactly the parameters the cmdlet has' {
        $actual = $command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        $page.Parameters.Name | Sort-Object | Should -Be $actual
    }

    It 'documents each parameter''s type as the cmdlet declares it' {
        foreach ($parameter in $page.Parameters) {
            $parameter.Blocks[0].Type | Should -Be $command.Parameters[$parameter.Name].ParameterType.Name -Because "-$($parameter.Name)"
        }
    }

    It 'documents every parameter set' {
        $documented = $page.SyntaxSets | ForEach-Object { $_ -replace '^__AllParameterSets$', '(All)' }
        $declared = if ($command.ParameterSets.Count -eq 1) { '(All)' } else { $command.ParameterSets.Name }
        $documented | Sort-Object | Should -Be ($declared | Sort-Object)
    }
}

Describe 'about_Mnesis' {
    It 'is found by Get-Help and covers the pool, the gate and durability' {
        $text = Get-Help about_Mnesis | Out-String
        $text | Should -BeLike '*THE POOL*'
        $text | Should -BeLike '*THE WRITE GATE*'
        $text | Should -BeLike '*CONCURRENCY AND DURABILITY*'
    }

    It 'lists every error id the module defines' {
        $source = Get-Content -Raw (Join-Path $PSScriptRoot '../src/Diagnostics/Messages.cs')
        $ids = [regex]::Matches($source, '"(Mnesis[A-Za-z]+)", ErrorCategory') | ForEach-Object { $_.Groups[1].Value }
        $about = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/about_Mnesis.md')
        $ids.Count | Should -BeGreaterThan 20
        foreach ($id in $ids) { $about | Should -Match "\| $id \|" -Because "$id needs a line in the error table" }
    }
}

# A PostgreSQL example names its server in its first line ($cs = '...'); it runs against a fresh
# database of the test server, and its example credential becomes the server's own.
Describe 'Documented example: <Command> / <Title>' -ForEach $examples {
    BeforeAll {
        $usesServer = $Code -match '-ConnectionString'
    }

    It 'runs without error in an empty folder' -Skip:($usesServer -and -not $env:MNESIS_TEST_POSTGRES) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $folder
        $script = $Code
        $database = $null
        if ($usesServer) {
            $database = New-TestPostgresDatabase
            $builder = Get-TestConnectionParts $database
            $script = $script -replace "(?m)^\`$cs = '[^']*'", "`$cs = '$database'"
            $script = $script -replace "(?m)^\`$credential = .*$", "`$credential = [pscredential]::new('$($builder['Username'])', (ConvertTo-SecureString '$($builder['Password'])' -AsPlainText -Force))"
        }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Set-Location -LiteralPath '$folder'; Import-Module '$($env:MNESIS_TEST_MODULE)'; `$ErrorActionPreference = 'Stop'`n$script`nClose-MnesisPool")
            $null = Invoke-TestPowerShell -PowerShell $ps -What "the documented example '$Title' of $Command" -TimeoutSeconds 120
            $ps.Streams.Error | Should -BeNullOrEmpty -Because $Code
        }
        finally {
            Remove-TestShell $ps
            if ($database) { Remove-TestPostgresDatabase $database }
        }
    }
}
