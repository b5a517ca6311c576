using System;
using System.Management.Automation;

namespace Mnesis.PowerShell.Diagnostics
{
    /// <summary>
    /// A failure the module diagnosed itself. It carries what a cmdlet needs to build a full
    /// ErrorRecord, so code below the cmdlets never has to know about the pipeline.
    /// </summary>
    public sealed class MnesisException : Exception
    {
        internal MnesisException(ErrorDefinition definition, object target, Exception inner, params object[] args)
            : base(definition.Format(args), inner)
        {
            Definition = definition;
            Target = target;
        }

        internal MnesisException(ErrorDefinition definition, object target, params object[] args)
            : this(definition, target, null, args)
        {
        }

        internal ErrorDefinition Definition { get; }

        /// <summary>The path, parameter or object the error is about.</summary>
        public object Target { get; }

        /// <summary>The stable identifier that becomes the FullyQualifiedErrorId.</summary>
        public string ErrorId => Definition.Id;

        internal ErrorRecord ToErrorRecord() => new ErrorRecord(this, Definition.Id, Definition.Category, Target);
    }
}
