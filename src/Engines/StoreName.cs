using System.Management.Automation;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>A database as a user named it, before any engine resolved it.</summary>
    internal readonly struct StoreName
    {
        internal StoreName(NameKind kind, string text, PSCredential credential = null)
        {
            Kind = kind;
            Text = text;
            Credential = credential;
        }

        internal NameKind Kind { get; }

        internal string Text { get; }

        /// <summary>The user (and password) given beside a connection string; null for paths.</summary>
        internal PSCredential Credential { get; }

        internal bool IsPath => Kind != NameKind.ConnectionString;

        internal bool IsLiteral => Kind == NameKind.LiteralPath;

        internal string ParameterName => Kind.ToString();
    }
}
