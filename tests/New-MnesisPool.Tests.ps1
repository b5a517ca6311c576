BeforeAll {
    . "$PSScriptRoot/Support/TestSetup.ps1"
    $mod = $env:MNESIS_TEST_MODULE

    function New-TestFolder {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $folder
        $folder
    }

    # Runs a script in a PowerShell with its own, new runspace that imports the module.
    function New-OtherRunspaceShell {
        $shell = [powershell]::Create()
        $null = $shell.AddScript({ param($mod) Import-Module $mod }).AddArgument($mod)
        $null = Invoke-TestPowerShell -PowerShell $shell -What 'importing the module in another runspace'
        $shell.Commands.Clear()
        $shell
    }

    function Invoke-InShell($Shell, [scriptblock] $Script, [object[]] $Arguments) {
        $Shell.Commands.Clear()
        $null = $Shell.AddScript($Script)
        foreach ($argument in $Arguments) { $null = $Shell.AddArgument($argument) }
        $output = Invoke-TestPowerShell -PowerShell $Shell -What 'a script in the other runspace'
        if ($Shell.HadErrors) { throw "The other runspace failed: $($Shell.Streams.Error -join '; ')" }
        $output
    }
}

Describe 'New-MnesisPool' {
    BeforeEach {
        $dir = New-TestFolder
        $db = Join-Path $dir 'pool.db'
    }

    It 'returns a new, empty MnesisPool that is not the default pool' {
        $pool = New-MnesisPool
        $pool | Should -BeOfType ([Mnesis.PowerShell.Pool.MnesisPool])
        $pool.IsDefault | Should -BeFalse
        $pool.Count | Should -Be 0
        $pool.Stores | Should -HaveCount 0
        $pool.Id | Should -Not -Be ([guid]::Empty)
    }

    It 'gives a different pool with a different Id on every call' {
        $pools = 1..3 | ForEach-Object { New-MnesisPool }
        @($pools.Id | Sort-Object -Unique) | Should -HaveCount 3
        [object]::ReferenceEquals($pools[0], $pools[1]) | Should -BeFalse
    }

    It 'keeps pools isolated: a store opened in one is not visible in the other' {
        $first = New-MnesisPool
        $second = New-MnesisPool
        try {
            $store = Open-MnesisStore -Pool $first -Path $db
            $first.Count | Should -Be 1
            $second.Count | Should -Be 0
            Get-MnesisConnection -Pool $second -Path $db -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
            @(Get-MnesisConnection -Pool $second) | Should -HaveCount 0
            [object]::ReferenceEquals($store.Pool, $first) | Should -BeTrue

            Close-MnesisPool -Pool $second
            $store.IsOpen | Should -BeTrue -Because 'closing one pool leaves the other alone'
        }
        finally {
            Close-MnesisPool -Pool $first
            Close-MnesisPool -Pool $second
        }
    }

    Context 'the default pool' {
        AfterEach { Close-MnesisPool -LiteralPath $db }

        It 'is shared by calls without -Pool in one runspace' {
            $first = Open-MnesisStore -Path $db
            $second = Open-MnesisStore -Path $db
            [object]::ReferenceEquals($first, $second) | Should -BeTrue
            $first.Pool.IsDefault | Should -BeTrue
            $first.Pool.Id | Should -Be $second.Pool.Id
            [object]::ReferenceEquals((Get-MnesisConnection -Path $db), (Get-MnesisConnection -Store $first)) | Should -BeTrue
            $null = Invoke-MnesisWrite -Path $db -Query 'CREATE TABLE t(v); INSERT INTO t VALUES (1)'
            $first.Writes | Should -Be 1 -Because 'the write without -Pool went through the same default store'
        }

        It 'is not a pool made by New-MnesisPool' {
            $pool = New-MnesisPool
            try {
                $default = Open-MnesisStore -Path $db
                $default.Pool.Id | Should -Not -Be $pool.Id
                Get-MnesisConnection -Pool $pool -Path $db -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeLike 'MnesisStoreNotOpen,*'
            }
            finally { Close-MnesisPool -Pool $pool }
        }

        It 'is a different pool in another runspace, with its own connection to the same file' {
            $mine = Open-MnesisStore -Path $db
            $myConnection = Get-MnesisConnection -Path $db
            $shell = New-OtherRunspaceShell
            try {
                $script = { param($db) $store = Open-MnesisStore -Path $db; $store; , (Get-MnesisConnection -Path $db) }
                $first = Invoke-InShell $shell $script $db
                $again = Invoke-InShell $shell $script $db
                $theirs = $first[0]
                $theirConnection = $first[1]

                $theirs.Pool.IsDefault | Should -BeTrue
                $theirs.Pool.Id | Should -Not -Be $mine.Pool.Id
                [object]::ReferenceEquals($theirs, $mine) | Should -BeFalse
                [object]::ReferenceEquals($theirConnection, $myConnection) | Should -BeFalse
                $theirConnection.State | Should -Be 'Open'
                $again[0].Pool.Id | Should -Be $theirs.Pool.Id -Because 'the other runspace also keeps one default pool across calls'
                [object]::ReferenceEquals($again[0], $theirs) | Should -BeTrue
            }
            finally { Remove-TestShell $shell }
            $theirConnection.State | Should -Be 'Closed' -Because 'the other runspace''s pool closed with it'
            $myConnection.State | Should -Be 'Open'
            $mine.IsOpen | Should -BeTrue
        }

        It 'is a different pool in a thread job' {
            $mine = Open-MnesisStore -Path $db
            $job = Start-ThreadJob -ArgumentList $mod, $db {
                param($mod, $db)
                Import-Module $mod
                $store = Open-MnesisStore -Path $db
                [pscustomobject]@{ Id = $store.Pool.Id; IsDefault = $store.Pool.IsDefault }
            }
            $theirs = Wait-TestJob -Job $job -What 'a thread job opening a store' -TimeoutSeconds 30
            $theirs.IsDefault | Should -BeTrue
            $theirs.Id | Should -Not -BeNullOrEmpty
            $theirs.Id | Should -Not -Be $mine.Pool.Id
        }
    }
}
