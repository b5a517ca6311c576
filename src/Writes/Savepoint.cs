using System.Data.Common;
using Mnesis.PowerShell.Binding;
using Mnesis.PowerShell.Pool;

namespace Mnesis.PowerShell.Writes
{
    /// <summary>
    /// The one way Mnesis marks a point to return to inside a write's transaction: a nested write, a
    /// write of a group commit, and a read inside a write each run in one, so that their failure
    /// undoes only their own work. Its statements run through the store's prepared commands (a
    /// failed savepoint statement leaves its prepared command reusable).
    /// </summary>
    internal readonly struct Savepoint
    {
        private readonly MnesisStore _store;
        private readonly DbTransaction _transaction;
        private readonly string _name;

        private Savepoint(MnesisStore store, DbTransaction transaction, string name)
        {
            _store = store;
            _transaction = transaction;
            _name = name;
        }

        /// <summary>Sets a savepoint named 'mnesis_<paramref name="purpose"/>' in <paramref name="transaction"/>.</summary>
        internal static Savepoint Set(MnesisStore store, DbTransaction transaction, string purpose)
        {
            var savepoint = new Savepoint(store, transaction, "mnesis_" + purpose);
            savepoint.Run("SAVEPOINT ");
            return savepoint;
        }

        /// <summary>Keeps what was done since the savepoint.</summary>
        internal void Release() => Run("RELEASE SAVEPOINT ");

        /// <summary>Undoes what was done since the savepoint, and ends it.</summary>
        internal void Undo()
        {
            Run("ROLLBACK TO SAVEPOINT ");
            Run("RELEASE SAVEPOINT ");
        }

        private void Run(string statement)
        {
            BoundCommand command = _store.Commands.RentOwn(statement + _name);
            try
            {
                command.Execute(_transaction);
            }
            finally
            {
                _store.Commands.ReturnOwn(command);
            }
        }
    }
}
