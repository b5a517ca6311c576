using System;

namespace Mnesis.PowerShell.Pool
{
    /// <summary>
    /// A path as a user typed it and where they stood: the same spelling from the same location
    /// names the same file again, so a store already open can be found without resolving the path.
    /// </summary>
    internal readonly struct StoreSpelling : IEquatable<StoreSpelling>
    {
        internal StoreSpelling(string input, bool literal, string location)
        {
            Input = input;
            Literal = literal;
            Location = location;
        }

        internal string Input { get; }

        internal bool Literal { get; }

        /// <summary>The provider-qualified current location, which relative paths depend on.</summary>
        internal string Location { get; }

        public bool Equals(StoreSpelling other) =>
            Literal == other.Literal && string.Equals(Input, other.Input, StringComparison.Ordinal)
            && string.Equals(Location, other.Location, StringComparison.Ordinal);

        public override bool Equals(object obj) => obj is StoreSpelling other && Equals(other);

        public override int GetHashCode() =>
            (StringComparer.Ordinal.GetHashCode(Input) * 31 + StringComparer.Ordinal.GetHashCode(Location ?? string.Empty)) ^ (Literal ? 1 : 0);
    }
}
