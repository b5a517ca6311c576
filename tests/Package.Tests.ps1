BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    # Runs a pwsh script file with HOME pointed at a folder of its own, so PSResourceGet's
    # repository list and CurrentUser scope live there and nowhere else.
    function Invoke-PwshWithHome([string] $HomeFolder, [string] $Script, [string[]] $Arguments) {
        # With no .config, .NET reports no ApplicationData and NuGet writes NuGet/NuGet.Config into the current folder.
        $null = New-Item -ItemType Directory -Force (Join-Path $HomeFolder '.config'), (Join-Path $HomeFolder '.local/share')
        $file = Join-Path $TestDrive "script-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value $Script
        $saved = $env:HOME
        $env:HOME = $HomeFolder
        try { Invoke-Pwsh -ArgumentList (@('-File', $file) + $Arguments) -What 'a pwsh packing or installing the module' -TimeoutSeconds 180 }
        finally { $env:HOME = $saved }
    }
}

Describe 'Offline install' -Skip:(-not (Get-Command Install-PSResource -ErrorAction Ignore)) {
    BeforeAll {
        $feed = Join-Path $TestDrive 'feed'
        $packOutput = Invoke-PwshWithHome (Join-Path $TestDrive 'pack-home') (Get-Content -Raw (Join-Path $PSScriptRoot '../tools/Publish-LocalPackage.ps1')) @('-ModulePath', $mod, '-OutputFolder', $feed)
        $version = (Import-PowerShellDataFile (Join-Path $mod 'Mnesis.psd1')).ModuleVersion
        $installHome = Join-Path $TestDrive 'ops-home'
        $db = Join-Path $TestDrive 'installed.db'
        # Windows keeps the CurrentUser scope in Documents, which HOME does not move: there the
        # install would change the user's own profile, so it is not run (the tests say so).
        $noInstall = 'on Windows the CurrentUser scope is the Documents folder, which a test cannot move away from the user''s profile (HOME does not)'
        $installOutput = if (-not $IsWindows) { Invoke-PwshWithHome $installHome @'
param($Feed, $Db)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name LocalFeed -Uri $Feed -Trusted
Install-PSResource -Name Mnesis -Repository LocalFeed -Scope CurrentUser -TrustRepository
Import-Module Mnesis
"module=$((Get-Module Mnesis).ModuleBase)"
"rows=$(Invoke-MnesisWrite -Path $Db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)')"
Close-MnesisPool
'@ @('-Feed', $feed, '-Db', $db) }
        $lines = @{}
        foreach ($line in $installOutput) { if ("$line" -match '^(\w+)=(.*)$') { $lines[$Matches[1]] = $Matches[2] } }
    }

    It 'packs the built module as Mnesis.<version>.nupkg' {
        Join-Path $feed "Mnesis.$version.nupkg" | Should -Exist -Because ($packOutput -join "`n")
    }

    It 'installs with Install-PSResource from a local repository into the user''s scope' {
        if ($IsWindows) { Set-ItResult -Skipped -Because $noInstall }
        $lines['module'] | Should -BeLike "$installHome*Mnesis*$version*" -Because ($installOutput -join "`n")
    }

    It 'imports the installed module by name in a fresh pwsh and writes a row' {
        if ($IsWindows) { Set-ItResult -Skipped -Because $noInstall }
        $lines['rows'] | Should -Be 1 -Because ($installOutput -join "`n")
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 1
    }

    It 'leaves nothing behind in the current folder' {
        Join-Path (Get-Location) 'NuGet' | Should -Not -Exist
    }
}
