using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Models.Sd3;

/// <summary>
/// SD3's conditioning vector (diffusers <c>CombinedTimestepTextProjEmbeddings</c>): an MLP of 256 sinusoidal
/// features of the timestep (0-1000 scale, cosines first) plus an MLP of the pooled text vector.
/// </summary>
public sealed class TimeTextEmbedding : Module
{
    private const int Frequencies = 256;
    private readonly TwoLayerMlp _time;
    private readonly TwoLayerMlp _text;

    /// <summary>Creates the embedding into width <paramref name="width"/> from pooled text of width <paramref name="pooledWidth"/>.</summary>
    public TimeTextEmbedding(int width, int pooledWidth, Generator generator)
    {
        _time = RegisterModule("timestep_embedder", new TwoLayerMlp(Frequencies, width, generator));
        _text = RegisterModule("text_embedder", new TwoLayerMlp(pooledWidth, width, generator));
    }

    /// <summary>timestep [B] (0-1000), pooled [B, P] → [B, D].</summary>
    public Tensor Forward(Tensor timestep, Tensor pooled)
    {
        using var scope = TensorScope.Enter();
        var features = Sinusoidal(timestep).To(pooled.DType);         // [B, 256]
        return scope.MoveToOuter(_time.Forward(features) + _text.Forward(pooled)); // [B, D]
    }

    /// <summary>
    /// diffusers' <c>get_timestep_embedding</c> with flip_sin_to_cos and no frequency shift, in its operation
    /// order (exp(−ln(10⁴)·k / 128), then t·freq): t [B] → [cos(t·f), sin(t·f)] [B, 256].
    /// </summary>
    public static Tensor Sinusoidal(Tensor timestep)
    {
        using var scope = TensorScope.Enter();
        const int half = Frequencies / 2;
        var freqs = (Tensor.Arange(0, half, 1, DType.Float32, timestep.Device) * -Math.Log(10000.0) / half).Exp(); // [128]
        var args = timestep.To(DType.Float32).Unsqueeze(1) * freqs.Unsqueeze(0);                                  // [B, 128]
        return scope.MoveToOuter(Tensor.Cat([args.Cos(), args.Sin()], 1));                                       // [B, 256]
    }

    /// <summary>linear_1 → SiLU → linear_2 (diffusers' <c>TimestepEmbedding</c> and <c>PixArtAlphaTextProjection</c>).</summary>
    private sealed class TwoLayerMlp : Module
    {
        private readonly Linear _fc1;
        private readonly Linear _fc2;

        public TwoLayerMlp(int inWidth, int width, Generator generator)
        {
            _fc1 = RegisterModule("linear_1", new Linear(inWidth, width, generator));
            _fc2 = RegisterModule("linear_2", new Linear(width, width, generator));
        }

        public Tensor Forward(Tensor x)
        {
            using var scope = TensorScope.Enter();
            return scope.MoveToOuter(_fc2.Forward(F.Silu(_fc1.Forward(x))));
        }
    }
}
