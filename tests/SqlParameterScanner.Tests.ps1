BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"

    # The scanner's answer for $Sql in SQLite's dialect: the named parameters in order, and the first positional one.
    function Invoke-Scan([string] $Sql) {
        $engine = (Get-MnesisInternalType 'Engines.Sqlite.SqliteEngine').GetField('Instance', [Reflection.BindingFlags]'Static, NonPublic').GetValue($null)
        $dialect = Get-MnesisInternalProperty -InputObject $engine -Name 'Dialect'
        $parsed = Invoke-MnesisInternalMethod -Type 'Sql.SqlParameterScanner' -Name 'Scan' -Arguments ([object[]]@($Sql, $dialect))
        [pscustomobject]@{
            Names      = @(Get-MnesisInternalProperty -InputObject $parsed -Name 'Names')
            Positional = Get-MnesisInternalProperty -InputObject $parsed -Name 'FirstPositional'
        }
    }
}

BeforeDiscovery {
    # Test names show line breaks in the SQL as \n.
    function Add-Label([hashtable[]] $Cases) {
        foreach ($case in $Cases) { $case.Label = $case.Sql -replace "`n", '\n'; $case }
    }
}

# What SQLite itself treats as text, identifiers or comments never holds a parameter: a value such
# as 'at 10:30 @home' must not turn into a parameter that is "missing".
Describe 'The parameter scanner (unit)' {
    It 'finds [<Expected>] in: <Label>' -ForEach (Add-Label @(
        @{ Sql = 'INSERT INTO t VALUES (@a, $b, :c)'; Expected = '@a $b :c' }
        @{ Sql = "INSERT INTO t VALUES ('at 10:30 @home, `$5 :x', @v)"; Expected = '@v' }
        @{ Sql = "SELECT 'it''s @x :y `$z' || @v"; Expected = '@v' }
        @{ Sql = "SELECT '' || @v || ''''"; Expected = '@v' }
        @{ Sql = 'SELECT "@x", ":y", "$z", "say ""@q""" FROM t WHERE a = @v'; Expected = '@v' }
        @{ Sql = 'SELECT [@x], [:y], [$z] FROM t WHERE a = :v'; Expected = ':v' }
        @{ Sql = 'SELECT `@x`, `:y`, `$z`, `a``@q` FROM t WHERE a = $v'; Expected = '$v' }
        @{ Sql = "SELECT 1 -- @x :y `$z`nWHERE a = @v"; Expected = '@v' }
        @{ Sql = 'SELECT 1 /* @x :y $z */ + @v'; Expected = '@v' }
        @{ Sql = "SELECT 1 /* a`n@x`n*/, @v -- @y"; Expected = '@v' }
        @{ Sql = 'SELECT @a, @b, @a, :a'; Expected = '@a @b :a' }
        @{ Sql = 'SELECT @név, @a_1, @B2'; Expected = '@név @a_1 @B2' }
        @{ Sql = 'SELECT 1 -- no newline after @x'; Expected = '' }
        @{ Sql = "SELECT 'never closed @x"; Expected = '' }
        @{ Sql = 'SELECT 1 /* never closed @x'; Expected = '' }
        @{ Sql = 'SELECT a @ b, c : d, $ FROM t'; Expected = '' }
    )) {
        $scan = Invoke-Scan $Sql
        ($scan.Names -join ' ') | Should -BeExactly $Expected
        $scan.Positional | Should -BeNullOrEmpty
    }

    It 'reports the first positional parameter <Expected> in: <Label>' -ForEach (Add-Label @(
        @{ Sql = 'INSERT INTO t VALUES (?)'; Expected = '?' }
        @{ Sql = 'INSERT INTO t VALUES (@a, ?12, ?)'; Expected = '?12' }
        @{ Sql = "SELECT '?', ""?"", [?], ``?`` -- ?`nFROM t WHERE a = ?3"; Expected = '?3' }
    )) {
        (Invoke-Scan $Sql).Positional | Should -BeExactly $Expected
    }

    It 'finds no positional parameter in a literal, identifier or comment' {
        (Invoke-Scan "SELECT '?', ""?"", [?], ``?`` /* ? */ -- ?").Positional | Should -BeNullOrEmpty
    }
}
