namespace FlowTune.Torch;

/// <summary>An error raised inside libtorch (shape mismatch, bad dtype, ...), with libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TorchException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public TorchException() : base("libtorch error") { }
}
