// The Windows test host: PowerShell's own console host (the code behind pwsh.exe), so it takes
// pwsh's command line (-NoProfile, -NonInteractive, -File script args, -Command, -EncodedCommand)
// and the suite can start it again as its child pwsh. Scripts run unsigned, as under
// `pwsh -ExecutionPolicy Bypass`: the tests and the module are not signed.
using System.Management.Automation.Runspaces;
using Microsoft.PowerShell;

internal static class Program
{
    private static int Main(string[] args)
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        state.ExecutionPolicy = ExecutionPolicy.Bypass;
        return ConsoleShell.Start(state, bannerText: string.Empty, helpText: string.Empty, args);
    }
}
