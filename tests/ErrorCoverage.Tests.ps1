# Every error id that about_Mnesis promises must be produced by some test, which checks the id:
# an id that only the documentation mentions is a guarantee nobody verifies.
BeforeDiscovery {
    $about = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/about_Mnesis.md')
    $errorsSection = ($about -split '(?m)^## ' | Where-Object { $_ -like 'ERRORS*' }) -join ''
    $documented = @([regex]::Matches($errorsSection, '(?m)^\| (Mnesis[A-Za-z]+) \| ([A-Za-z]+) \|') | ForEach-Object {
            @{ Id = $_.Groups[1].Value; Category = $_.Groups[2].Value }
        })
}

BeforeAll {
    # Test files other than this one, as text.
    $testTexts = @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' |
            Where-Object Name -NE 'ErrorCoverage.Tests.ps1' |
            ForEach-Object { [pscustomobject]@{ Name = $_.Name; Text = Get-Content -Raw -LiteralPath $_.FullName } })
    $messages = Get-Content -Raw (Join-Path $PSScriptRoot '../src/Diagnostics/Messages.cs')
}

Describe 'The error table of about_Mnesis' {
    It 'lists the error ids (<Count> found)' -ForEach @{ Count = $documented.Count } {
        $Count | Should -BeGreaterThan 20
    }

    # Ids that only a platform no runner here has can produce; each says why. Nothing else may be listed.
    BeforeAll {
        $cannotProduceHere = @{
            MnesisEngineUnsupported = 'only Windows PowerShell 5.1 (.NET Framework) produces it; the suite runs on PowerShell 7'
        }
    }

    It '<Id> is produced by a test that checks the id' -ForEach $documented {
        if ($cannotProduceHere.ContainsKey($Id)) { Set-ItResult -Skipped -Because $cannotProduceHere[$Id]; return }
        # Should -Throw -ErrorId 'Id,*', FullyQualifiedErrorId | Should -BeLike 'Id,*' (or the full id),
        # or a row of a table-driven test (Id = 'Id') whose body checks "$Id,*".
        $pattern = "(['""])$Id,|\bId\s*=\s*'$Id'"
        $checking = @($testTexts | Where-Object { $_.Text -match $pattern } | ForEach-Object Name)
        $checking | Should -Not -BeNullOrEmpty -Because "some test must make the module produce $Id and check its FullyQualifiedErrorId"
    }

    It '<Id> has the category <Category> in the module too' -ForEach $documented {
        $messages | Should -Match """$Id"", ErrorCategory\.$Category\b"
    }
}
