namespace FlowTune.Torch;

/// <summary>Kinds of device (libtorch's <c>c10::DeviceType</c> codes).</summary>
public enum DeviceType
{
    /// <summary>The host CPU.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
}

/// <summary>A device: type plus index (-1 = the current device of that type).</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu => new(DeviceType.Cpu);

    /// <summary>CUDA device <paramref name="index"/>.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.Cpu,
            "cuda" => DeviceType.Cuda,
            _ => throw new FormatException($"unknown device '{text}' (expected cpu, cuda or cuda:N)"),
        };
        if (parts.Length == 1)
        {
            return new Device(type, type == DeviceType.Cuda ? 0 : -1);
        }
        if (parts.Length == 2 && int.TryParse(parts[1], out var index) && index >= 0)
        {
            return new Device(type, index);
        }
        throw new FormatException($"bad device '{text}' (expected cpu, cuda or cuda:N)");
    }

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
