using System.Diagnostics;
using FlowTune.Models;
using FlowTune.Models.Text;
using FlowTune.Nn;
using FlowTune.Torch;

namespace FlowTune.Cli.Bench;

/// <summary>Speed of a model preset on random data: a rectified-flow training step and a no-grad velocity forward.</summary>
public static class ModelBenchmark
{
    /// <summary>The figures of one run.</summary>
    public sealed record Result(long Parameters, double TrainStepMs, double TrainImagesPerSecond, double ForwardImagesPerSecond);

    /// <summary>Times <paramref name="steps"/> training steps (after 2 warm-ups) and as many forwards.</summary>
    public static Result Run(FlowModelConfig config, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var generator = new Generator(0);
        var words = "a photo of an red green blue circle square triangle cross ring and left right above below two three four".Split(' ');
        using var model = new FlowModel(config, new Tokenizer(words, config.Text.MaxLength), generator);
        using var optimizer = new AdamW(model.NamedParameters(), new AdamWOptions { LearningRate = 1e-4 });
        var prompts = Enumerable.Range(0, batch).Select(i => i % 2 == 0 ? "a photo of a red circle" : "a photo of two squares").ToList();
        var times = new List<double>();
        for (var k = 0; k < steps + 2; k++)
        {
            using var scope = TensorScope.Enter();
            var clock = Stopwatch.StartNew();
            var x0 = Tensor.Randn([batch, .. model.SampleShape], generator);
            var eps = Tensor.Randn([batch, .. model.SampleShape], generator);
            var t = Tensor.Rand([batch], generator);
            var tv = t.View(batch, 1, 1, 1);
            var xt = x0 * (1.0 - tv) + eps * tv;
            using var text = model.EncodeText(prompts);
            var loss = F.MseLoss(model.Velocity(xt, t, text), eps - x0);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            if (k >= 2)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        var forward = new List<double>();
        using (Autograd.NoGrad())
        {
            for (var k = 0; k < steps + 1; k++)
            {
                using var scope = TensorScope.Enter();
                var x = Tensor.Randn([batch, .. model.SampleShape], generator);
                using var text = model.EncodeText(prompts);
                var clock = Stopwatch.StartNew();
                model.Velocity(x, Tensor.Full([batch], 0.5), text).Dispose();
                if (k >= 1)
                {
                    forward.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
        var step = OpsBenchmark.Median(times);
        return new Result(model.ParameterCount(), step, batch / (step / 1000), batch / (OpsBenchmark.Median(forward) / 1000));
    }
}
