BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    # Runs a script in a fresh pwsh from $Folder and returns its output lines (WhatIf text included).
    function Invoke-TestChild([string] $Folder, [string] $Script) {
        $file = Join-Path $TestDrive "child-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value "Import-Module '$mod'; Set-Location -LiteralPath '$Folder'`n$Script"
        Invoke-Pwsh -ArgumentList '-File', $file 2>&1 | ForEach-Object { "$_" }
    }
}

# What runbooks bring that the first version of the module got wrong; each was seen failing before.
Describe 'Maintenance statements through Invoke-MnesisWrite' {
    BeforeEach {
        $pool = New-MnesisPool
        $db = Join-Path (New-TestFolder) 'maint.db'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(p REFERENCES parent(id)); CREATE TABLE t(v)'
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'runs VACUUM under the gate outside a transaction, and it shrinks the file' {
        $null = 1..2000 | ForEach-Object { @{ v = 'x' * 200 } } | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (@v)'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'DELETE FROM t'
        $before = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'PRAGMA page_count' -Scalar
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'VACUUM' | Should -Be 0
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'PRAGMA page_count' -Scalar | Should -BeLessThan $before
    }

    It 'changes the journal mode, and the store shows it' {
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'PRAGMA journal_mode=DELETE' | Should -Be 0
        (Open-MnesisStore -Pool $pool -Path $db).WalMode | Should -BeFalse
        Close-MnesisPool -Pool $pool
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'delete'
    }

    It 'turns foreign keys off for real on the store''s connection' {
        { Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO child VALUES (42)' } | Should -Throw -ErrorId 'MnesisSqlFailed,*'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'PRAGMA foreign_keys=OFF'
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO child VALUES (42)' | Should -Be 1
    }

    It 'refuses a maintenance statement mixed with others, running nothing' {
        { Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1); VACUUM' } | Should -Throw -ErrorId 'MnesisMaintenanceMixed,*'
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
    }

    It 'refuses a maintenance statement inside a -ScriptBlock write, and the block''s write rolls back' {
        {
            Invoke-MnesisWrite -Pool $pool -Path $db -ScriptBlock {
                $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)'
                $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'PRAGMA journal_mode=DELETE'
            }
        } | Should -Throw -ErrorId 'MnesisMaintenanceInTransaction,*'
        Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'wal'
    }
}

Describe 'Reads that do not write' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        $db = Join-Path $folder 'reads.db'
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'refuses a statement that writes before running anything: <_>' -ForEach @(
        'INSERT INTO t VALUES (2)', 'SELECT 1; DELETE FROM t', 'CREATE TABLE u(x)', 'PRAGMA journal_mode=DELETE', 'PRAGMA foreign_keys = OFF', 'BEGIN', "ATTACH ':memory:' AS other"
    ) {
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
        $err = { Invoke-MnesisQuery -Pool $pool -Path $db -Query $_ } | Should -Throw -ErrorId 'MnesisQueryWrites,*' -PassThru
        $err.Exception.Message | Should -BeLike "*$db*Invoke-MnesisWrite*"
        Invoke-Sqlite3 $db 'SELECT group_concat(v) FROM t' | Should -Be '1'
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'wal'
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar | Should -Be 1
    }

    It 'leaves a database another tool keeps in rollback-journal mode byte-identical' {
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=DELETE; CREATE TABLE t(v); INSERT INTO t VALUES (7);'
        $hash = Get-TestFileHash -Path $db
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT v FROM t' -Scalar | Should -Be 7
        (Get-MnesisPool -Pool $pool).WalMode | Should -BeFalse
        Close-MnesisPool -Pool $pool
        Get-TestFileHash -Path $db | Should -Be $hash
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'delete'
        Get-ChildItem -LiteralPath $folder -Name | Should -Be 'reads.db'
    }

    It 'switches a store that a read opened to WAL at its first write' {
        $null = Invoke-Sqlite3 $db 'PRAGMA journal_mode=DELETE; CREATE TABLE t(v);'
        $null = Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM t' -Scalar
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO t VALUES (1)' | Should -Be 1
        (Get-MnesisPool -Pool $pool).WalMode | Should -BeTrue
        Invoke-Sqlite3 $db 'PRAGMA journal_mode' | Should -Be 'wal'
    }

    It 'streams the rows of one query per piped object, bound by property name' {
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE host(name, os); INSERT INTO host VALUES (''a'', ''x''), (''b'', ''y''), (''c'', ''x'')'
        $rows = 'c', 'a', 'zz' | ForEach-Object { [pscustomobject]@{ name = $_ } } |
            Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT name, os FROM host WHERE name = @name'
        ($rows | ForEach-Object { "$($_.name)=$($_.os)" }) | Should -Be @('c=x', 'a=x')
    }
}

Describe 'Ctrl+C during a long SQLite statement' {
    BeforeEach {
        $db = Join-Path (New-TestFolder) 'long.db'
        $null = Invoke-Sqlite3 $db 'CREATE TABLE t(x);'
    }

    It 'stops a <Kind> that would run for minutes, at once, and leaves the database as it was' -ForEach @(
        @{ Kind = 'query'; Script = { param($mod, $db) Import-Module $mod; Invoke-MnesisQuery -Path $db -Query 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' -Scalar } }
        @{ Kind = 'write'; Script = { param($mod, $db) Import-Module $mod; Invoke-MnesisWrite -Path $db -Query 'INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c' } }
    ) {
        $running = Start-TestShell -Arguments $mod, $db -Script $Script
        try {
            Start-Sleep -Milliseconds 1500
            $running.Async.IsCompleted | Should -BeFalse -Because 'the statement runs for minutes'
            Stop-TestShell -Shell $running -What "the long $Kind (SQLite is interrupted, not waited for)" -TimeoutSeconds 10
            $running.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
            Invoke-Sqlite3 $db 'SELECT count(*) FROM t' | Should -Be 0
            Test-TestWriteLockHeld -Path $db | Should -BeFalse
        }
        finally { Remove-TestShell $running }
    }
}

Describe 'Read-only databases' -Skip:(-not $IsLinux -or (& id -u) -ne '0' -or -not (Get-Command chattr -ErrorAction Ignore)) {
    BeforeAll {
        # Root ignores permission bits; the immutable attribute stands for read-only media.
        $folder = New-TestFolder
        $db = Join-Path $folder 'vendor.db'
        $null = Invoke-Sqlite3 $db 'CREATE TABLE item(name); INSERT INTO item VALUES (''bolt''), (''nut'');'
        & chmod 444 $db
        & chattr +i $db
        $hash = Get-TestFileHash -Path $db
    }
    AfterAll { & chattr -i $db }

    BeforeEach { $pool = New-MnesisPool }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'is read by Invoke-MnesisQuery without -ReadOnly' {
        Invoke-MnesisQuery -Pool $pool -Path $db -Query 'SELECT count(*) FROM item' -Scalar | Should -Be 2
        (Get-MnesisPool -Pool $pool).IsReadOnly | Should -BeTrue
    }

    It 'opens with -ReadOnly; reads work, writes fail clearly, the file is byte-identical' {
        $store = Open-MnesisStore -Pool $pool -Path $db -ReadOnly
        $store.IsReadOnly | Should -BeTrue
        Invoke-MnesisQuery -Store $store -Query 'SELECT group_concat(name) FROM item' -Scalar | Should -Be 'bolt,nut'
        $err = { Invoke-MnesisWrite -Store $store -Query 'DELETE FROM item' } | Should -Throw -ErrorId 'MnesisStoreReadOnly,*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message | Should -BeLike "*$db*"
        Close-MnesisPool -Pool $pool
        Get-TestFileHash -Path $db | Should -Be $hash
        Get-ChildItem -LiteralPath $folder -Name | Should -Be 'vendor.db'
    }

    It 'still refuses to open it for writing, naming the file' {
        { Open-MnesisStore -Pool $pool -Path $db -ErrorAction Stop } | Should -Throw -ErrorId 'MnesisDatabaseReadOnly,*'
    }
}

Describe 'In-memory stores' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        Push-Location -LiteralPath $folder
    }
    AfterEach {
        Close-MnesisPool -Pool $pool
        Pop-Location
    }

    It 'keeps '':memory:'' in memory, private to its pool, with no stray files' {
        $null = Invoke-MnesisWrite -Pool $pool -Path ':memory:' -Query 'CREATE TABLE m(x); INSERT INTO m VALUES (1)'
        Invoke-MnesisQuery -Pool $pool -Path ':memory:' -Query 'SELECT count(*) FROM m' -Scalar | Should -Be 1
        $other = New-MnesisPool
        try { { Invoke-MnesisQuery -Pool $other -Path ':memory:' -Query 'SELECT count(*) FROM m' } | Should -Throw -ErrorId 'MnesisQueryFailed,*' }
        finally { Close-MnesisPool -Pool $other }
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
    }

    It 'shares '':memory:name'' with every runspace of the process until its last store closes' {
        $name = ":memory:shared$([guid]::NewGuid().ToString('N'))"
        $null = Invoke-MnesisWrite -Pool $pool -Path $name -Query 'CREATE TABLE m(x)'
        $counts = 1..4 | ForEach-Object -ThrottleLimit 4 -TimeoutSeconds 60 -Parallel {
            Import-Module $using:mod
            $null = Invoke-MnesisWrite -Path $using:name -Query 'INSERT INTO m VALUES (@x)' -Parameters @{ x = $_ }
            'ok'
        }
        @($counts).Count | Should -Be 4 -Because 'every parallel writer must finish within the limit'
        Invoke-MnesisQuery -Pool $pool -Path $name -Query 'SELECT count(*) FROM m' -Scalar | Should -Be 4
        Close-MnesisPool -Pool $pool
        { Invoke-MnesisQuery -Pool $pool -Path $name -Query 'SELECT count(*) FROM m' } | Should -Throw -ErrorId 'MnesisQueryFailed,*'
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
    }
}

Describe '-WhatIf and -Confirm on Invoke-MnesisWrite' {
    BeforeAll {
        $folder = New-TestFolder
        $db = Join-Path $folder 'whatif.db'
        $null = Invoke-Sqlite3 $db 'CREATE TABLE host(name); INSERT INTO host VALUES (''web01'');'
    }

    It 'declares ConfirmImpact Medium, so it does not prompt by default' {
        $attribute = (Get-Command Invoke-MnesisWrite).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.SupportsShouldProcess | Should -BeTrue
        $attribute.ConfirmImpact | Should -Be 'Medium'
    }

    It 'names the store and the statement and changes nothing, for a query, a new file and pipeline rows' {
        $output = Invoke-TestChild $folder @'
Invoke-MnesisWrite -Path ./whatif.db -Query 'DELETE FROM host' -WhatIf
Invoke-MnesisWrite -Path ./new.db -Query 'CREATE TABLE x(y)' -WhatIf
'a', 'b' | ForEach-Object { @{ n = $_ } } | Invoke-MnesisWrite -Path ./whatif.db -Query 'INSERT INTO host VALUES (@n)' -WhatIf
"rows=$(Invoke-MnesisQuery -Path ./whatif.db -Query 'SELECT count(*) FROM host' -Scalar)"
'@
        $text = $output -join "`n"
        $text | Should -BeLike "*What if: *Write: DELETE FROM host*$db*"
        $text | Should -BeLike '*What if: *Write: CREATE TABLE x(y)*new.db*'
        $text | Should -BeLike '*What if: *Write input row 1: INSERT INTO host VALUES (@n)*'
        $text | Should -BeLike '*What if: *Write input row 2: INSERT INTO host VALUES (@n)*'
        $output | Should -Contain 'rows=1'
        Join-Path $folder 'new.db' | Should -Not -Exist
    }

    It 'asks before writing when $ConfirmPreference is Medium, and not by default' {
        # A -NonInteractive pwsh cannot answer a prompt: asking shows as an error, and nothing is written.
        $output = Invoke-TestChild $folder @'
try { $ConfirmPreference = 'Medium'; $null = Invoke-MnesisWrite -Path ./whatif.db -Query 'INSERT INTO host VALUES (''asked'')' -ErrorAction Stop; 'asked=no' }
catch { 'asked=yes' }
$ConfirmPreference = 'High'
"written=$(Invoke-MnesisWrite -Path ./whatif.db -Query 'INSERT INTO host VALUES (''quiet'')')"
"names=$(Invoke-MnesisQuery -Path ./whatif.db -Query 'SELECT group_concat(name) FROM host' -Scalar)"
'@
        $output | Should -Contain 'asked=yes'
        $output | Should -Contain 'written=1'
        $output | Should -Contain 'names=web01,quiet'
    }
}

Describe 'Counts, awkward names and piped paths' {
    BeforeEach {
        $pool = New-MnesisPool
        $folder = New-TestFolder
        $db = Join-Path $folder 'misc.db'
        $null = Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE host(name, os)'
    }
    AfterEach { Close-MnesisPool -Pool $pool }

    It 'reports 0 for a statement that changes no rows right after one that did' {
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO host VALUES (1, 2), (3, 4)' | Should -Be 2
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'CREATE TABLE t2(x)' | Should -Be 0
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO host VALUES (5, 6); CREATE TABLE t3(x)' | Should -Be 1
        Invoke-MnesisWrite -Pool $pool -Path $db -Query 'UPDATE host SET os = 0 WHERE 0' | Should -Be 0
    }

    It 'binds Import-Csv columns whose names hold spaces and dashes as @Host_Name and @os_version' {
        $csv = Join-Path $folder 'hosts.csv'
        Set-Content -LiteralPath $csv -Value "Host Name,os-version`nweb01,linux`ndb01,bsd"
        Import-Csv $csv | Invoke-MnesisWrite -Pool $pool -Path $db -Query 'INSERT INTO host VALUES (@Host_Name, @os_version)' | Should -Be 2
        Invoke-Sqlite3 $db 'SELECT group_concat(name || ''/'' || os) FROM host' | Should -Be 'web01/linux,db01/bsd'
    }

    It 'takes plain path strings from the pipeline in Get-MnesisConnection and Close-MnesisPool' {
        $connection = $db | Get-MnesisConnection -Pool $pool
        $connection.State | Should -Be 'Open'
        $db | Close-MnesisPool -Pool $pool
        $connection.State | Should -Be 'Closed'
        $pool.Count | Should -Be 0
    }
}
