using FlowTune.Torch;
using FlowTune.Training;

namespace FlowTune.Rl.Objectives;

/// <summary>
/// The generator an objective draws its training noise from, re-seeded at every epoch from (run seed,
/// <paramref name="stream"/> of <see cref="RandomStreams"/>, epoch), so a resumed run draws the same numbers.
/// </summary>
public sealed class EpochGenerator(int seed, long stream)
{
    private Generator? _current;

    /// <summary>Starts epoch <paramref name="epoch"/>'s draws.</summary>
    public void Begin(int epoch)
    {
        _current?.Dispose();
        _current = new Generator(Seeds.Derive(seed, stream, epoch));
    }

    /// <summary>This epoch's generator.</summary>
    public Generator Current => _current ?? throw new InvalidOperationException("BeginEpoch must be called before Accumulate");
}
