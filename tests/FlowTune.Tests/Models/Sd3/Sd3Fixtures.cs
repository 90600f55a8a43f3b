using FlowTune.IO;
using FlowTune.Torch;

namespace FlowTune.Tests.Models.Sd3;

/// <summary>
/// The tiny random-weight diffusers components under tests/FlowTune.Tests/Data/sd3, with reference outputs made by
/// diffusers' own code (tools/sd3/make_reference_vectors.py), and helpers to compare against them.
/// </summary>
internal static class Sd3Fixtures
{
    /// <summary>The folder of fixture <paramref name="name"/> (e.g. <c>transformer-sd3</c>, or <c>sd3-text/text_encoder</c> for the text fixtures).</summary>
    public static string Folder(string name) => RepoPaths.File(Path.Combine("tests", "FlowTune.Tests", "Data", name.StartsWith("sd3-text/", StringComparison.Ordinal) ? "" : "sd3", name));

    /// <summary>The fixture's parity tensors (inputs and reference outputs); dispose with <see cref="TensorFile.DisposeAll"/>.</summary>
    public static Dictionary<string, Tensor> Parity(string name) => TensorFile.Load(Path.Combine(Folder(name), "parity.safetensors")).Tensors;

    /// <summary>‖actual − expected‖₂ / ‖expected‖₂, in float64.</summary>
    public static double RelativeL2(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var a64 = actual.To(DType.Float64);
        using var e64 = expected.To(DType.Float64);
        var a = a64.ToArray<double>();
        var e = e64.ToArray<double>();
        double diff = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            diff += (a[i] - e[i]) * (a[i] - e[i]);
            norm += e[i] * e[i];
        }
        return Math.Sqrt(diff / norm);
    }

    /// <summary>Copies fixture <paramref name="name"/> to a fresh temporary folder the caller may damage.</summary>
    public static string CopyToTemp(string name)
    {
        var target = Path.Combine(Path.GetTempPath(), $"flowtune-sd3-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Folder(name)))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }
}
