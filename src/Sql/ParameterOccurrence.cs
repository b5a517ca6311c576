namespace Mnesis.PowerShell.Sql
{
    /// <summary>One named parameter in a SQL text: the token as written (with prefix) and where it starts.</summary>
    internal readonly struct ParameterOccurrence
    {
        internal ParameterOccurrence(string token, int start)
        {
            Token = token;
            Start = start;
        }

        internal string Token { get; }

        internal int Start { get; }
    }
}
