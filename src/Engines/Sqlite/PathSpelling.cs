using System;
using System.Management.Automation;

namespace Mnesis.PowerShell.Engines.Sqlite
{
    /// <summary>
    /// A path as a user typed it and everything its resolution depends on: the current drive (its
    /// root and the location on it), the root and location of a drive the path names, and the
    /// provider's home for '~'. The same spelling in the same surroundings names the same file
    /// again, so a store already open can be found without resolving the path. A drive removed and
    /// made again with another root is other surroundings, never the old file.
    /// </summary>
    internal readonly struct PathSpelling : IEquatable<PathSpelling>
    {
        private static readonly char[] s_separators = { '/', '\\' };

        private PathSpelling(string input, bool literal, PSDriveInfo current, PSDriveInfo named, string home)
        {
            Input = input;
            Literal = literal;
            DriveName = current.Name;
            DriveRoot = current.Root;
            DriveLocation = current.CurrentLocation;
            NamedDriveRoot = named?.Root;
            NamedDriveLocation = named?.CurrentLocation;
            Home = home;
        }

        internal string Input { get; }

        internal bool Literal { get; }

        internal string DriveName { get; }

        internal string DriveRoot { get; }

        internal string DriveLocation { get; }

        internal string NamedDriveRoot { get; }

        /// <summary>A drive's own location, which a drive-relative spelling ('X:file.db') depends on.</summary>
        internal string NamedDriveLocation { get; }

        internal string Home { get; }

        /// <summary>
        /// The spelling of <paramref name="input"/> where the session stands; false when it cannot be
        /// remembered (wildcards may match other files later; an unknown drive fails resolution anyway;
        /// 'Provider::~' names another provider's home).
        /// </summary>
        internal static bool TryCapture(SessionState session, string input, bool literal, out PathSpelling spelling)
        {
            spelling = default;
            if (string.IsNullOrWhiteSpace(input) || (!literal && WildcardPattern.ContainsWildcardCharacters(input))
                || input.IndexOf("::~", StringComparison.Ordinal) >= 0)
            {
                return false;
            }

            PSDriveInfo current = session.Drive.Current;
            if (current == null)
            {
                return false;
            }

            PSDriveInfo named = null;
            string driveName = NamedDrive(input);
            if (driveName != null)
            {
                try
                {
                    named = session.Drive.Get(driveName);
                }
                catch (DriveNotFoundException)
                {
                    return false;
                }
            }

            string home = input[0] == '~' ? current.Provider.Home : null;
            spelling = new PathSpelling(input, literal, current, named, home);
            return true;
        }

        public bool Equals(PathSpelling other) =>
            Literal == other.Literal
            && string.Equals(Input, other.Input, StringComparison.Ordinal)
            && string.Equals(DriveName, other.DriveName, StringComparison.Ordinal)
            && string.Equals(DriveRoot, other.DriveRoot, StringComparison.Ordinal)
            && string.Equals(DriveLocation, other.DriveLocation, StringComparison.Ordinal)
            && string.Equals(NamedDriveRoot, other.NamedDriveRoot, StringComparison.Ordinal)
            && string.Equals(NamedDriveLocation, other.NamedDriveLocation, StringComparison.Ordinal)
            && string.Equals(Home, other.Home, StringComparison.Ordinal);

        public override bool Equals(object obj) => obj is PathSpelling other && Equals(other);

        public override int GetHashCode() =>
            ((StringComparer.Ordinal.GetHashCode(Input) * 31 + StringComparer.Ordinal.GetHashCode(DriveLocation ?? string.Empty)) * 31
                + StringComparer.Ordinal.GetHashCode(DriveRoot ?? string.Empty)) ^ (Literal ? 1 : 0);

        // 'name:rest' names a drive; 'Provider::path' names a provider and depends on no drive.
        private static string NamedDrive(string input)
        {
            int colon = input.IndexOf(':');
            if (colon <= 0 || (colon + 1 < input.Length && input[colon + 1] == ':'))
            {
                return null;
            }

            string name = input.Substring(0, colon);
            return name.IndexOfAny(s_separators) >= 0 ? null : name;
        }
    }
}
