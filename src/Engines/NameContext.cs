using System;
using System.Management.Automation;

namespace Mnesis.PowerShell.Engines
{
    /// <summary>Where a name is resolved: the caller's session (current location, drives, '~') and the pool asking.</summary>
    internal sealed class NameContext
    {
        internal NameContext(SessionState session, Guid poolId)
        {
            Session = session;
            PoolId = poolId;
        }

        internal SessionState Session { get; }

        /// <summary>For databases private to one pool (SQLite's ':memory:').</summary>
        internal Guid PoolId { get; }
    }
}
