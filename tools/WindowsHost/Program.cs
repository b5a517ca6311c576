// The Windows test host: PowerShell's own console host (the code behind pwsh.exe), so it takes
// pwsh's command line (-NoProfile, -NonInteractive, -File script args, -Command, -EncodedCommand)
// and the suite can start it again as its child pwsh. Scripts run unsigned, as under
// `pwsh -ExecutionPolicy Bypass`: the tests and the module are not signed.
using System;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using Microsoft.PowerShell;

internal static class Program
{
    private static int Main(string[] args)
    {
        EnsureConsole();
        InitialSessionState state = InitialSessionState.CreateDefault2();
        state.ExecutionPolicy = ExecutionPolicy.Bypass;
        return ConsoleShell.Start(state, bannerText: string.Empty, helpText: string.Empty, args);
    }

    // PowerShell's console host fails at start without a console ("Invalid handle" on the screen
    // buffer). Under Wine a process started without one (Start-Process with redirected output
    // starts it with CREATE_NO_WINDOW) has none, where Windows would still run pwsh: this host
    // then shares its parent's console, or makes one. Its standard handles stay as they were.
    private static void EnsureConsole()
    {
        if (HasConsoleBuffer()) return;
        FreeConsole();
        if (!AttachConsole(AttachParentProcess) || !HasConsoleBuffer())
        {
            FreeConsole();
            AllocConsole();
        }
    }

    // What the console host asks first: the screen buffer of the console, through CONOUT$.
    private static bool HasConsoleBuffer()
    {
        IntPtr output = CreateFileW("CONOUT$", GenericRead | GenericWrite, FileShareRead | FileShareWrite, IntPtr.Zero, OpenExisting, 0, IntPtr.Zero);
        if (output == InvalidHandle) return false;
        bool ok = GetConsoleScreenBufferInfo(output, out _);
        CloseHandle(output);
        return ok;
    }

    private const uint GenericRead = 0x80000000, GenericWrite = 0x40000000, FileShareRead = 1, FileShareWrite = 2, OpenExisting = 3;
    private const int AttachParentProcess = -1;
    private static readonly IntPtr InvalidHandle = new(-1);

    [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    private static extern IntPtr CreateFileW(string name, uint access, uint share, IntPtr security, uint disposition, uint flags, IntPtr template);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool CloseHandle(IntPtr handle);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool AttachConsole(int processId);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool AllocConsole();

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool FreeConsole();

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool GetConsoleScreenBufferInfo(IntPtr output, out ScreenBufferInfo info);

    [StructLayout(LayoutKind.Sequential)]
    private struct ScreenBufferInfo
    {
        public short SizeX, SizeY, CursorX, CursorY;
        public ushort Attributes;
        public short Left, Top, Right, Bottom, MaxX, MaxY;
    }
}
