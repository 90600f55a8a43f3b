using FlowTune.Imaging;

namespace FlowTune.Worlds;

/// <summary>Scores one image against one GenEval-format prompt (strict correctness + partial-credit reward). Must be thread-safe.</summary>
public interface IImageJudge
{
    /// <summary>Scores <paramref name="image"/> for <paramref name="entry"/>.</summary>
    GenEvalScore Score(RgbImage image, GenEvalEntry entry);
}
