# The folders of src/ depend one way, as the table in docs/architecture.md says, and nothing outside
# an engine's folder names that engine's types (but the one registration line in Naming/EngineRegistry.cs).
BeforeDiscovery {
    $src = (Resolve-Path (Join-Path $PSScriptRoot '../src')).ProviderPath

    # The folder a file belongs to: 'Engines/Sqlite' for an engine's own files, else its top folder.
    function Get-SourceFolder([string] $FullName) {
        $relative = $FullName.Substring($src.Length + 1) -replace '\\', '/'
        $parts = $relative -split '/'
        if ($parts[0] -eq 'Engines' -and $parts.Count -gt 2) { return "Engines/$($parts[1])" }
        $parts[0]
    }

    # Namespace Mnesis.PowerShell.Engines.Sqlite -> folder Engines/Sqlite; Mnesis.PowerShell.Pool -> Pool.
    $engineFolders = @(Get-ChildItem -LiteralPath (Join-Path $src 'Engines') -Directory | ForEach-Object Name)
    function ConvertTo-Folder([string] $Namespace) {
        $parts = $Namespace -split '\.'
        if ($parts[0] -eq 'Engines' -and $parts.Count -gt 1 -and $engineFolders -contains $parts[1]) { return "Engines/$($parts[1])" }
        $parts[0]
    }

    $doc = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/architecture.md')
    $table = [regex]::Match($doc, '(?s)<!-- dependency-table -->(.*?)<!-- /dependency-table -->').Groups[1].Value
    $allowed = @{}
    foreach ($row in [regex]::Matches($table, '(?m)^\| ([A-Za-z/]+) \| ([^|]*)\|')) {
        $folder = $row.Groups[1].Value
        if ($folder -eq 'folder') { continue }
        $allowed[$folder] = @($row.Groups[2].Value -split ',' | ForEach-Object Trim | Where-Object { $_ })
    }

    # Every C# file of the cmdlet assembly and the engines (the loader is an assembly of its own).
    # Strings go before comments ('//' inside "postgres://" starts none); a deferred engine is
    # registered by its names as strings, which load nothing at compile time.
    $topFolders = @(Get-ChildItem -LiteralPath $src -Directory | ForEach-Object Name)
    $files = @(Get-ChildItem -LiteralPath $src -Filter *.cs -Recurse -File |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' -and (Get-SourceFolder $_.FullName) -ne 'Loader' } |
            ForEach-Object {
                $text = Get-Content -Raw -LiteralPath $_.FullName
                $code = [regex]::Replace([regex]::Replace($text, '"[^"\r\n]*"', '""'), '(?m)//.*$', '')
                $qualified = @([regex]::Matches($code, '\bMnesis\.PowerShell\.((?:[A-Z][A-Za-z]*)(?:\.[A-Z][A-Za-z]*)?)') | ForEach-Object { $_.Groups[1].Value })
                # Inside namespace Mnesis.PowerShell.X, 'Pool.MnesisStore' names another folder too.
                $short = @([regex]::Matches($code, '(?<![.\w])([A-Z][A-Za-z]*)(\.[A-Z][A-Za-z]*)?\.[A-Z]\w*') |
                        Where-Object { $topFolders -contains $_.Groups[1].Value } | ForEach-Object { $_.Groups[1].Value + $_.Groups[2].Value })
                $uses = @($qualified + $short | ForEach-Object { ConvertTo-Folder $_ } | Sort-Object -Unique)
                $libraries = @([regex]::Matches($code, '\b(Microsoft\.Data\.Sqlite|SQLitePCL|Npgsql)\b') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
                @{ Name = $_.FullName.Substring($src.Length + 1) -replace '\\', '/'; Folder = Get-SourceFolder $_.FullName; Uses = $uses; Libraries = $libraries; Code = $code }
            })

    # The types each engine folder declares.
    $engineTypes = @{}
    foreach ($file in $files | Where-Object { $_.Folder -like 'Engines/*' }) {
        $declared = @([regex]::Matches($file.Code, '\b(?:class|struct|enum|interface)\s+([A-Z][A-Za-z0-9]*)') | ForEach-Object { $_.Groups[1].Value })
        $engineTypes[$file.Folder] = @($engineTypes[$file.Folder]) + $declared | Where-Object { $_ }
    }
}

Describe 'The dependency table of docs/architecture.md' {
    It 'has a row for every folder of src/, and none for a folder that is gone' -ForEach @{ Folders = @($files | ForEach-Object { $_.Folder } | Sort-Object -Unique); Allowed = $allowed } {
        @($Folders | Where-Object { -not $Allowed.ContainsKey($_) }) | Should -BeNullOrEmpty
        @($Allowed.Keys | Where-Object { $Folders -notcontains $_ }) | Should -BeNullOrEmpty
        $Folders.Count | Should -BeGreaterThan 10
    }

    It 'has no cycle: a folder never reaches itself through the folders it may use' -ForEach @{ Allowed = $allowed } {
        foreach ($start in $Allowed.Keys) {
            $seen = @{}
            $queue = [Collections.Generic.Queue[string]]::new()
            foreach ($next in $Allowed[$start]) { $queue.Enqueue($next) }
            while ($queue.Count) {
                $folder = $queue.Dequeue()
                $folder | Should -Not -Be $start -Because "$start may not depend on itself through other folders"
                if ($seen[$folder]) { continue }
                $seen[$folder] = $true
                foreach ($next in @($Allowed[$folder])) { if ($next) { $queue.Enqueue($next) } }
            }
        }
    }
}

Describe 'Source folders depend one way' {
    # Otherwise a type could reach another folder's types without naming its namespace.
    It 'every file declares the namespace of its folder' -ForEach @{ Files = $files } {
        $wrong = foreach ($file in $Files) {
            $expected = 'Mnesis.PowerShell.' + ($file.Name.Substring(0, $file.Name.LastIndexOf('/')) -replace '/', '.')
            $declared = [regex]::Match($file.Code, '(?m)^namespace ([A-Za-z.]+)').Groups[1].Value
            if ($declared -ne $expected) { "$($file.Name): $declared" }
        }
        @($wrong) | Should -BeNullOrEmpty
    }

    It 'the files of <Folder> use only what its row allows' -ForEach @($files | Group-Object { $_.Folder } | ForEach-Object {
            @{ Folder = $_.Name; Files = $_.Group; Allowed = $allowed } }) {
        $forbidden = foreach ($file in $Files) {
            foreach ($used in $file.Uses | Where-Object { $_ -ne $Folder -and $Allowed[$Folder] -notcontains $_ }) { "$($file.Name) uses $used" }
        }
        @($forbidden) | Should -BeNullOrEmpty -Because "the $Folder row of docs/architecture.md does not list them"
    }
}

Describe 'Engine types stay in their folder' {
    It 'finds the engine folders and their types' -ForEach @{ EngineTypes = $engineTypes } {
        @($EngineTypes.Keys | Sort-Object) | Should -Be @('Engines/PostgreSql', 'Engines/Sqlite')
        foreach ($types in $EngineTypes.Values) { @($types).Count | Should -BeGreaterThan 3 }
    }

    It 'no file outside the engine folders uses a database library' -ForEach @{ Files = $files } {
        $users = foreach ($file in $Files | Where-Object { $_.Folder -notlike 'Engines/*' -and $_.Libraries }) { "$($file.Name): $($file.Libraries -join ', ')" }
        @($users) | Should -BeNullOrEmpty
    }

    It 'no file outside <Engine> names its types, but the registration line' -ForEach @($engineTypes.Keys | ForEach-Object { @{ Engine = $_; Types = $engineTypes[$_]; Files = $files } }) {
        $leaks = foreach ($file in $Files | Where-Object Folder -NE $Engine) {
            foreach ($type in $Types) {
                foreach ($line in $file.Code -split "`n") {
                    if ($line -cmatch "\b$type\b" -and -not ($file.Name -eq 'Naming/EngineRegistry.cs' -and $line -match 'EngineRegistration\.(BuiltIn|Deferred)\(|^using ')) {
                        "$($file.Name): $($line.Trim())"
                    }
                }
            }
        }
        @($leaks) | Should -BeNullOrEmpty
    }
}
