using System;
using System.Collections.Generic;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// How many Mnesis connections of this process use each database file, counted from before
    /// SQLite opens it. A database that a failed first write created may only be removed while
    /// no other connection here uses it, and no open may start while it is being removed.
    /// </summary>
    internal static class OpenFiles
    {
        private static readonly Dictionary<string, int> Users = new Dictionary<string, int>(StringComparer.Ordinal);

        internal static void Register(string key)
        {
            lock (Users)
            {
                Users.TryGetValue(key, out int users);
                Users[key] = users + 1;
            }
        }

        internal static void Unregister(string key)
        {
            lock (Users)
            {
                if (Users.TryGetValue(key, out int users))
                {
                    if (users <= 1)
                    {
                        Users.Remove(key);
                    }
                    else
                    {
                        Users[key] = users - 1;
                    }
                }
            }
        }

        /// <summary>Runs <paramref name="action"/> if the caller is the file's only user; opens wait meanwhile.</summary>
        internal static bool WhenSoleUser(string key, Action action)
        {
            lock (Users)
            {
                if (!Users.TryGetValue(key, out int users) || users != 1)
                {
                    return false;
                }

                action();
                return true;
            }
        }
    }
}
