BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"

    # The canonical path and the pool key the module gives a full path.
    function Get-Canonical([string] $FullPath) {
        $storePath = Invoke-MnesisInternalMethod -Type 'Engines.Sqlite.PathCanonicalizer' -Name 'Canonicalize' -Arguments (, $FullPath)
        [pscustomobject]@{
            FullPath = Get-MnesisInternalProperty -InputObject $storePath -Name 'FullPath'
            Key      = Get-MnesisInternalProperty -InputObject $storePath -Name 'Key'
        }
    }

    function New-Link([string] $Path, [string] $Target) {
        # ln keeps a relative target relative (New-Item would store it as given too, but resolves it to check).
        & ln -s $Target $Path
        if ($LASTEXITCODE -ne 0) { throw "ln -s $Target $Path failed" }
    }
}

# Every spelling of one file must give one key, without opening the file (unit level; the
# cmdlet-level spellings are in StoreIdentity.Tests.ps1).
Describe 'The path canonicalizer (unit; symbolic links with ln and realpath: skipped on Windows)' -Skip:$IsWindows {
    BeforeEach {
        # The canonical form of the test folder itself (TestDrive could sit below a link).
        $dir = & realpath -- (New-TestFolder)
        $real = Join-Path $dir 'real'
        $null = New-Item -ItemType Directory -Path $real
        $file = Join-Path $real 'store.db'
        $null = New-Item -ItemType File -Path $file
    }

    It 'keeps an existing file''s path, with the path itself as the key on Linux' -Skip:(-not $IsLinux) {
        $canonical = Get-Canonical $file
        $canonical.FullPath | Should -BeExactly $file
        $canonical.Key | Should -BeExactly $file
        (Get-Canonical (Join-Path $real 'STORE.db')).Key | Should -Not -BeExactly $canonical.Key -Because 'Linux file names are case-sensitive'
    }

    It 'keeps a path that does not exist yet below an existing folder' {
        (Get-Canonical (Join-Path $real 'new/deeper/x.db')).FullPath | Should -BeExactly (Join-Path $real 'new/deeper/x.db')
    }

    It 'resolves <Case>' -ForEach @(
        @{ Case = 'a link to the file'; Make = { param($dir, $real) New-Link (Join-Path $dir 'link.db') (Join-Path $real 'store.db'); Join-Path $dir 'link.db' }; Expected = 'real/store.db' }
        @{ Case = 'a link with a relative target'; Make = { param($dir, $real) New-Link (Join-Path $dir 'rel.db') 'real/store.db'; Join-Path $dir 'rel.db' }; Expected = 'real/store.db' }
        @{ Case = 'a relative target with ..'; Make = { param($dir, $real) $null = New-Item -ItemType Directory (Join-Path $dir 'sub'); New-Link (Join-Path $dir 'sub/up.db') '../real/store.db'; Join-Path $dir 'sub/up.db' }; Expected = 'real/store.db' }
        @{ Case = 'a chain of links'; Make = { param($dir, $real) New-Link (Join-Path $dir 'one.db') (Join-Path $real 'store.db'); New-Link (Join-Path $dir 'two.db') (Join-Path $dir 'one.db'); Join-Path $dir 'two.db' }; Expected = 'real/store.db' }
        @{ Case = 'a linked folder'; Make = { param($dir, $real) New-Link (Join-Path $dir 'linkdir') $real; Join-Path $dir 'linkdir/store.db' }; Expected = 'real/store.db' }
        @{ Case = 'a new file below a linked folder'; Make = { param($dir, $real) New-Link (Join-Path $dir 'linkdir') $real; Join-Path $dir 'linkdir/new/x.db' }; Expected = 'real/new/x.db' }
        @{ Case = 'a dangling link (the store is about to be created through it)'; Make = { param($dir, $real) New-Link (Join-Path $dir 'early.db') (Join-Path $real 'later.db'); Join-Path $dir 'early.db' }; Expected = 'real/later.db' }
        @{ Case = 'a dangling link in a linked folder'; Make = { param($dir, $real) New-Link (Join-Path $real 'early.db') 'later.db'; New-Link (Join-Path $dir 'linkdir') $real; Join-Path $dir 'linkdir/early.db' }; Expected = 'real/later.db' }
    ) {
        $spelling = & $Make $dir $real
        $canonical = Get-Canonical $spelling
        $canonical.FullPath | Should -BeExactly (Join-Path $dir $Expected)
        $canonical.Key | Should -BeExactly (Get-Canonical (Join-Path $dir $Expected)).Key
    }

    It 'gives up on a link loop instead of running forever' {
        New-Link (Join-Path $dir 'a.db') (Join-Path $dir 'b.db')
        New-Link (Join-Path $dir 'b.db') (Join-Path $dir 'a.db')
        $canonical = Get-Canonical (Join-Path $dir 'a.db')
        $canonical.FullPath | Should -BeIn @((Join-Path $dir 'a.db'), (Join-Path $dir 'b.db'))
    }

    It 'does not create or open anything' {
        $before = Get-TestTreeSnapshot -Path $dir
        $null = Get-Canonical (Join-Path $real 'not/there/x.db')
        $null = Get-Canonical $file
        Get-TestTreeSnapshot -Path $dir | Should -Be $before
        Get-TestOpenHandleCount -Path $file | Should -BeLessOrEqual 0
    }
}
