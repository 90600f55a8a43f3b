namespace FlowTune.Rewards.Remote;

/// <summary>
/// A pickle that <see cref="PickleReader"/> could not decode: truncated or malformed input, a value outside what
/// the strict reader supports (an int beyond int64, a non-string dict key), or a limit exceeded.
/// </summary>
public class PickleException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public PickleException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PickleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PickleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a message and the byte offset it concerns.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="offset">Byte offset in the input, or -1 when not tied to one.</param>
    public PickleException(string message, long offset)
        : base(message)
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the input the error concerns, or -1 when not tied to one.</summary>
    public long Offset { get; } = -1;
}

/// <summary>
/// A pickle that uses an opcode the strict reader refuses (anything that imports, calls or builds objects, such
/// as GLOBAL, STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ; extension registry codes; persistent ids;
/// out-of-band buffers; sets). Nothing was executed: the reader stops at the opcode.
/// </summary>
public sealed class PickleRejectedException : PickleException
{
    /// <summary>Creates the exception with no message.</summary>
    public PickleRejectedException()
    {
        OpcodeName = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PickleRejectedException(string message)
        : base(message)
    {
        OpcodeName = string.Empty;
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PickleRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        OpcodeName = string.Empty;
    }

    /// <summary>Creates the exception for one refused opcode.</summary>
    /// <param name="opcode">The opcode byte.</param>
    /// <param name="opcodeName">Its pickletools name, e.g. "STACK_GLOBAL".</param>
    /// <param name="offset">Byte offset of the opcode.</param>
    /// <param name="global">For GLOBAL, STACK_GLOBAL and INST, the <c>module.name</c> asked for (null if unknown).</param>
    public PickleRejectedException(byte opcode, string opcodeName, long offset, string? global)
        : base(Describe(opcode, opcodeName, offset, global), offset)
    {
        Opcode = opcode;
        OpcodeName = opcodeName;
        Global = global;
    }

    /// <summary>The refused opcode byte.</summary>
    public byte Opcode { get; }

    /// <summary>The refused opcode's pickletools name, e.g. "REDUCE".</summary>
    public string OpcodeName { get; }

    /// <summary>For GLOBAL, STACK_GLOBAL and INST, the <c>module.name</c> the pickle asked for; otherwise null.</summary>
    public string? Global { get; }

    private static string Describe(byte opcode, string name, long offset, string? global)
    {
        string what = global is null ? string.Empty : $" asking for '{global}'";
        return $"pickle rejected: opcode {name} (0x{opcode:x2}) at byte offset {offset}{what}; the strict reader accepts only "
            + "dicts, lists, tuples, str, bytes, int, float, bool and None, and never imports or calls anything";
    }
}
