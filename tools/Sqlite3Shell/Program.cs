// A stand-in for the sqlite3 shell in the Windows test run; see Sqlite3Shell.csproj for what it
// takes. Statements go straight to SQLite (no ADO.NET), so a locked database fails at once
// unless .timeout says otherwise, as in the real shell.
using System;
using System.Collections.Generic;
using System.Text;
using SQLitePCL;

internal static class Program
{
    private static int Main(string[] args)
    {
        Batteries_V2.Init();
        var commands = new List<string>();
        string? file = null;
        bool fromInput = true; // as in the shell: standard input unless commands follow the file
        for (int i = 0; i < args.Length; i++)
        {
            if (file is null && args[i] == "-batch") continue;
            if (file is null && args[i] == "-cmd" && i + 1 < args.Length) { commands.Add(args[++i]); continue; }
            if (file is null) { file = args[i]; continue; }
            commands.Add(args[i]);
            fromInput = false;
        }
        if (file is null) return Fail("no database file given");

        Console.OutputEncoding = new UTF8Encoding(false);
        int rc = raw.sqlite3_open_v2(file, out sqlite3 db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE, null);
        try
        {
            if (rc != raw.SQLITE_OK) return Fail($"unable to open database \"{file}\": {raw.sqlite3_errstr(rc).utf8_to_string()}");
            foreach (string command in commands)
            {
                string? error = Run(db, command);
                if (error is not null) return Fail(error);
            }
            return fromInput ? RunInput(db) : 0;
        }
        finally { raw.sqlite3_close_v2(db); }
    }

    private static string? Run(sqlite3 db, string command) =>
        command.TrimStart().StartsWith('.') ? RunDotCommand(db, command.Trim()) : RunSql(db, command);

    // Like the shell without SQL arguments: statements from standard input, each run as soon as it
    // is complete (so a caller can hold a transaction open between two lines it writes).
    private static int RunInput(sqlite3 db)
    {
        var pending = new StringBuilder();
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            if (pending.Length == 0 && line.TrimStart().StartsWith('.'))
            {
                string? dotError = RunDotCommand(db, line.Trim());
                if (dotError is not null) return Fail(dotError);
                continue;
            }
            pending.Append(line).Append('\n');
            if (raw.sqlite3_complete(pending.ToString()) == 0) continue;
            string? error = RunSql(db, pending.ToString());
            pending.Clear();
            if (error is not null) return Fail(error);
        }
        return 0;
    }

    private static string? RunDotCommand(sqlite3 db, string command)
    {
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words[0] == ".timeout" && words.Length == 2 && int.TryParse(words[1], out int ms))
        {
            raw.sqlite3_busy_timeout(db, ms);
            return null;
        }
        return $"unknown command or invalid arguments: \"{command}\" (this stand-in knows only .timeout MS)";
    }

    // Each statement of the text in turn, printing its rows; stops at the first error.
    private static string? RunSql(sqlite3 db, string sql)
    {
        string rest = sql;
        while (!string.IsNullOrWhiteSpace(rest))
        {
            int rc = raw.sqlite3_prepare_v2(db, rest, out sqlite3_stmt statement, out string tail);
            if (rc != raw.SQLITE_OK) return ErrorOf(db);
            rest = tail;
            if (statement.IsInvalid) continue; // only a comment or white space
            try
            {
                while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    int count = raw.sqlite3_column_count(statement);
                    var line = new StringBuilder();
                    for (int c = 0; c < count; c++)
                    {
                        if (c > 0) line.Append('|');
                        if (raw.sqlite3_column_type(statement, c) != raw.SQLITE_NULL) line.Append(raw.sqlite3_column_text(statement, c).utf8_to_string());
                    }
                    Console.Out.Write(line.Append('\n').ToString());
                }
                if (rc != raw.SQLITE_DONE) return ErrorOf(db);
            }
            finally { raw.sqlite3_finalize(statement); }
        }
        return null;
    }

    private static string ErrorOf(sqlite3 db) => raw.sqlite3_errmsg(db).utf8_to_string();

    private static int Fail(string message)
    {
        Console.Error.WriteLine("Error: " + message);
        return 1;
    }
}
