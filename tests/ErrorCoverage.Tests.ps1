# The error ids, checked both ways. Every id a document promises must be produced by some test,
# which checks the id: an id that only the documentation mentions is a guarantee nobody verifies.
# Every id the module can raise (src/Diagnostics/Messages.cs defines them all) must be in the
# error table of about_Mnesis, with the same category.
BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '../docs'
    $about = Get-Content -Raw (Join-Path $docs 'about_Mnesis.md')
    $errorsSection = ($about -split '(?m)^## ' | Where-Object { $_ -like 'ERRORS*' }) -join ''
    $documented = @([regex]::Matches($errorsSection, '(?m)^\| (Mnesis[A-Za-z]+) \| ([A-Za-z]+) \|') | ForEach-Object {
            @{ Id = $_.Groups[1].Value; Category = $_.Groups[2].Value }
        })

    $messages = Get-Content -Raw (Join-Path $PSScriptRoot '../src/Diagnostics/Messages.cs')
    $defined = @([regex]::Matches($messages, '"(Mnesis[A-Za-z]+)", ErrorCategory\.([A-Za-z]+)') | ForEach-Object {
            @{ Id = $_.Groups[1].Value; Category = $_.Groups[2].Value }
        })

    # Ids the other documents name (the cmdlet pages, the README, ...): every Mnesis... word that is
    # not the noun of a cmdlet (Open-MnesisStore's MnesisStore is also the store's type name).
    $nouns = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../Mnesis.psd1')).CmdletsToExport | ForEach-Object { ($_ -split '-', 2)[1] }
    $otherDocs = @(Get-ChildItem -LiteralPath $docs -Filter '*.md' -Recurse | Where-Object Name -NE 'about_Mnesis.md') + @(Get-Item (Join-Path $PSScriptRoot '../README.md'))
    $mentioned = @($otherDocs | ForEach-Object {
            $file = $_
            [regex]::Matches((Get-Content -Raw -LiteralPath $file.FullName), '\bMnesis[A-Z][A-Za-z]+\b') | ForEach-Object Value |
                Where-Object { $_ -notin $nouns } | Sort-Object -Unique | ForEach-Object { @{ Id = $_; Document = $file.Name } }
        })
    $mentionedOnly = @($mentioned | Where-Object { $_.Id -notin $documented.Id } | Sort-Object { $_.Id } -Unique)
}

BeforeAll {
    # Test files other than this one, as text.
    $testTexts = @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' |
            Where-Object Name -NE 'ErrorCoverage.Tests.ps1' |
            ForEach-Object { [pscustomobject]@{ Name = $_.Name; Text = Get-Content -Raw -LiteralPath $_.FullName } })
    $messages = Get-Content -Raw (Join-Path $PSScriptRoot '../src/Diagnostics/Messages.cs')
    $about = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/about_Mnesis.md')
    $errorsSection = ($about -split '(?m)^## ' | Where-Object { $_ -like 'ERRORS*' }) -join ''

    # Ids that only a platform no runner here has can produce; each says why. Nothing else may be listed.
    $cannotProduceHere = @{
        MnesisEngineUnsupported = 'only Windows PowerShell 5.1 (.NET Framework) produces it; the suite runs on PowerShell 7'
    }

    # True when some test file makes the module produce $Id and checks it: Should -Throw -ErrorId 'Id,*',
    # FullyQualifiedErrorId | Should -BeLike 'Id,*' (or the full id), or a row of a table-driven test
    # (Id = 'Id') whose body checks "$Id,*".
    function Test-IdChecked([string] $Id) {
        $pattern = "(['""])$Id,|\bId\s*=\s*'$Id'"
        @($testTexts | Where-Object { $_.Text -match $pattern }).Count -gt 0
    }
}

Describe 'The error table of about_Mnesis' {
    It 'lists the error ids (<Count> found)' -ForEach @{ Count = $documented.Count } {
        $Count | Should -BeGreaterThan 20
    }

    It '<Id> is produced by a test that checks the id' -ForEach $documented {
        if ($cannotProduceHere.ContainsKey($Id)) { Set-ItResult -Skipped -Because $cannotProduceHere[$Id]; return }
        Test-IdChecked $Id | Should -BeTrue -Because "some test must make the module produce $Id and check its FullyQualifiedErrorId"
    }

    It '<Id> has the category <Category> in the module too' -ForEach $documented {
        $messages | Should -Match """$Id"", ErrorCategory\.$Category\b"
    }
}

Describe 'The error ids the other documents name' {
    It 'finds the ids the cmdlet pages name (<Count> mentions)' -ForEach @{ Count = $mentioned.Count } {
        $Count | Should -BeGreaterThan 0
    }

    # An id named only outside the error table: it must exist, and a test must produce it too.
    It '<Id> (named in <Document>) is an id the module defines, and a test produces it' -ForEach $mentionedOnly {
        $messages | Should -Match """$Id"", ErrorCategory\." -Because "$Document names $Id, so the module must be able to raise it"
        if ($cannotProduceHere.ContainsKey($Id)) { Set-ItResult -Skipped -Because $cannotProduceHere[$Id]; return }
        Test-IdChecked $Id | Should -BeTrue -Because "some test must make the module produce $Id and check its FullyQualifiedErrorId"
    }

    It 'names no id that the error table of about_Mnesis lacks' -ForEach @{ Missing = @($mentionedOnly | ForEach-Object { "$($_.Id) ($($_.Document))" }) } {
        $Missing | Should -BeNullOrEmpty -Because 'every id a document names is in the error table too'
    }
}

Describe 'The error ids the module can raise' {
    It 'defines the error ids in one place (<Count> found in Messages.cs)' -ForEach @{ Count = $defined.Count } {
        $Count | Should -BeGreaterThan 20
    }

    It '<Id> is in the error table of about_Mnesis with the category <Category>' -ForEach $defined {
        $errorsSection | Should -Match "(?m)^\| $Id \| $Category \|" -Because "scripts match on $Id, so the documentation must list it"
    }

    It 'raises no error id that Messages.cs does not define' {
        # Every error record of the module carries the id of an ErrorDefinition, and Messages.cs makes them all.
        $sources = @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot '../src') -Filter '*.cs' -Recurse)
        $records = @($sources | Select-String -Pattern 'new ErrorRecord\(')
        $records | Should -Not -BeNullOrEmpty
        @($records | Where-Object Line -NotMatch 'Definition\.Id' | ForEach-Object { "$($_.Filename):$($_.LineNumber)" }) | Should -BeNullOrEmpty -Because 'an ErrorRecord with another id could carry one no document lists'
        @($sources | Where-Object Name -NE 'Messages.cs' | Select-String -Pattern 'new ErrorDefinition\(' | ForEach-Object { "$($_.Filename):$($_.LineNumber)" }) | Should -BeNullOrEmpty -Because 'Messages.cs defines every error id'
    }
}
