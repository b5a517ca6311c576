namespace Mnesis.PowerShell.Engines
{
    /// <summary>
    /// A database as the pool identifies it: every spelling of one database gives the same
    /// <see cref="Key"/> (a resolved file path, a normalized server address).
    /// </summary>
    internal abstract class StoreTarget
    {
        internal abstract StoreEngine Engine { get; }

        /// <summary>The identity within the process; stores and shared state are keyed by it.</summary>
        internal abstract string Key { get; }

        /// <summary>How messages and Get-MnesisPool name the database; never holds a password.</summary>
        internal abstract string Display { get; }

        /// <summary>
        /// The path the database is named by (a file's full path, or ':memory:name'), for engines whose
        /// databases are named by paths; null otherwise.
        /// </summary>
        internal virtual string FilePath => null;

        /// <summary>
        /// Refuses a database that does not exist yet, for a read (which never creates one); the
        /// error names the database as <paramref name="input"/> spelled it.
        /// </summary>
        internal virtual void ThrowIfMissing(string input)
        {
        }

        /// <summary>
        /// True when reads outside a write go to another server than writes (PostgreSQL's target
        /// session attributes naming a standby): a store that writes then reads on a connection of its own.
        /// </summary>
        internal virtual bool ReadsElsewhere => false;

        /// <summary>
        /// True when this name asks for other connection settings than those of <paramref name="opened"/>,
        /// the same database's store already open (whose settings stand).
        /// </summary>
        internal virtual bool HasOtherOptionsThan(StoreTarget opened) => false;

        public override string ToString() => Display;
    }
}
