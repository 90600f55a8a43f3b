using FlowTune.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlowTune.IO;
using FlowTune.Models;
using FlowTune.Worlds;

namespace FlowTune.Evaluation;

/// <summary>
/// Reuses evaluations of identical weights. The key is a SHA-256 of everything an evaluation's result depends on:
/// the model's description (configuration, vocabulary; <see cref="IPolicyNetwork.Describe"/>), parameter and buffer bytes, the evaluation options (seed included), the
/// prompts and the judge's type. A comparison's runs all evaluate the same base at epoch 0 with the same noise, so
/// only the first pays for it. A hit copies the stored report, results and grids into the requested folder.
/// </summary>
public sealed class EvalCache(string directory)
{
    /// <summary>The folder holding one sub-folder per key.</summary>
    public string Directory { get; } = directory;

    /// <summary>Evaluates through <see cref="Evaluator.Run"/> unless the same evaluation is stored; <paramref name="hit"/> tells which.</summary>
    public EvalReport Run(IPolicyNetwork model, IReadOnlyList<GenEvalEntry> entries, IImageJudge judge, EvalOptions options,
        string outputDirectory, out bool hit, IProgress<ProgressReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        var stored = Path.Combine(Directory, Key(model, entries, judge, options));
        hit = File.Exists(Path.Combine(stored, "eval.json"));
        if (hit)
        {
            Folders.CopyFiles(stored, outputDirectory);
            return Json.Read<EvalReport>(Path.Combine(outputDirectory, "eval.json"));
        }
        var report = Evaluator.Run(model, entries, judge, options, outputDirectory, progress);
        var staging = stored + $".tmp{Environment.ProcessId}";
        Folders.CopyFiles(outputDirectory, staging);
        if (System.IO.Directory.Exists(stored))
        {
            System.IO.Directory.Delete(staging, true);                       // another process stored it meanwhile
        }
        else
        {
            System.IO.Directory.Move(staging, stored);
        }
        return report;
    }

    /// <summary>The cache key of an evaluation (hex SHA-256).</summary>
    public static string Key(IPolicyNetwork model, IReadOnlyList<GenEvalEntry> entries, IImageJudge judge, EvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(judge);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void AddText(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        AddText(model.Describe());
        foreach (var (name, tensor) in model.Weights.StateDict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            AddText($"{name} {tensor.DType} {string.Join(',', tensor.Shape)}");
            hash.AppendData(tensor.ToBytes());
        }
        AddText(JsonSerializer.Serialize(options, Json.Options));
        foreach (var e in entries)
        {
            AddText(JsonSerializer.Serialize(e, Json.Options));
        }
        AddText(judge.GetType().FullName ?? judge.GetType().Name);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
