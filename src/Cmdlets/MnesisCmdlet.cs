using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using Mnesis.PowerShell.Diagnostics;
using Mnesis.PowerShell.Naming;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Cmdlets
{
    /// <summary>What every Mnesis cmdlet shares: -Pool, naming stores, errors and Ctrl+C.</summary>
    public abstract class MnesisCmdlet : PSCmdlet, ICallOutput
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private StoreResolver _resolver;

        /// <summary>The pool to use; the runspace's default pool when omitted.</summary>
        [Parameter]
        [ValidateNotNull]
        public MnesisPool Pool { get; set; }

        // -Verbose or -Debug, read once: they cannot change during the call. The preference can (a
        // script upstream in the pipeline may set it), so it is read for each message, as PowerShell does.
        private bool? _verboseSwitch;
        private bool _verboseSwitchRead;

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        protected MnesisPool TargetPool => Pool ?? RunspacePools.DefaultFor(Runspace.DefaultRunspace);

        protected override void StopProcessing()
        {
            _stopping.Cancel();
            base.StopProcessing();
        }

        /// <summary>Resolves names into databases and stores for this call, in the caller's session and pool.</summary>
        internal StoreResolver Resolver => _resolver ?? (_resolver = new StoreResolver(SessionState, TargetPool, this));

        internal void WriteMnesisError(MnesisException error) => WriteError(error.ToErrorRecord());

        internal void ThrowMnesisError(MnesisException error) => ThrowTerminatingError(error.ToErrorRecord());

        /// <summary>Formats and writes a verbose message, only when it will be shown.</summary>
        internal void WriteVerboseMessage(string format, params object[] args)
        {
            if (WantsVerbose)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, format, args));
            }
        }

        internal void WriteWarningMessage(string format, params object[] args) =>
            WriteWarning(string.Format(CultureInfo.CurrentCulture, format, args));

        void ICallOutput.Verbose(string format, params object[] args) => WriteVerboseMessage(format, args);

        void ICallOutput.Warning(string format, params object[] args) => WriteWarningMessage(format, args);

        void ICallOutput.Error(MnesisException error) => WriteMnesisError(error);

        /// <summary>
        /// Whether WriteVerbose would show a message now, decided as PowerShell decides it: -Verbose
        /// when given, else -Debug, else $VerbosePreference. Messages nobody will see are not formatted.
        /// </summary>
        private bool WantsVerbose
        {
            get
            {
                if (!_verboseSwitchRead)
                {
                    _verboseSwitch = ReadVerboseSwitch();
                    _verboseSwitchRead = true;
                }

                if (_verboseSwitch.HasValue)
                {
                    return _verboseSwitch.Value;
                }

                // A preference PowerShell cannot read as one is left to WriteVerbose to judge.
                return !LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
                    || (preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore);
            }
        }

        private bool? ReadVerboseSwitch()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object verbose))
            {
                return LanguagePrimitives.IsTrue(verbose);
            }

            if (MyInvocation.BoundParameters.TryGetValue("Debug", out object debug) && LanguagePrimitives.IsTrue(debug))
            {
                return true;
            }

            return null;
        }

        /// <summary>Turns a cancelled wait into the pipeline's own stop.</summary>
        internal void ThrowIfStopping()
        {
            if (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }
    }
}
