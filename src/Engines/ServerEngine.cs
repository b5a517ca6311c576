using System.Management.Automation;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>An engine whose databases are named by a connection string rather than a file path.</summary>
    internal abstract class ServerEngine : StoreEngine
    {
        /// <summary>
        /// The target a connection string names, with the user and password of
        /// <paramref name="credential"/> when given; every spelling of one database gives one key.
        /// </summary>
        internal abstract StoreTarget ParseTarget(string connectionString, PSCredential credential);

        /// <summary>True when a store opened for <paramref name="opened"/> was asked for with other options than <paramref name="requested"/>.</summary>
        internal abstract bool HasOtherOptions(StoreTarget opened, StoreTarget requested);
    }
}
