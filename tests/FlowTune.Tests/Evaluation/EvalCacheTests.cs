using FlowTune.Evaluation;
using FlowTune.Imaging;
using FlowTune.Torch;
using FlowTune.Worlds;

namespace FlowTune.Tests.Evaluation;

public sealed class EvalCacheTests
{
    [Fact]
    public void Should_EvaluateOnceAndCopyAfterwards_When_WeightsAndOptionsAreTheSame()
    {
        // Given
        using var scope = TensorScope.Enter();
        var entries = EvalFixtures.OnePromptPerTag();
        using var model = EvalFixtures.TinyModel();
        var options = new EvalOptions { Steps = 2, SamplesPerPrompt = 1, MinImagesPerTag = 1 };
        var root = Path.Combine(Path.GetTempPath(), $"evalcache-{Guid.NewGuid():N}");
        var cache = new EvalCache(Path.Combine(root, "cache"));
        var judge = new CountingJudge();

        try
        {
            // When: the same evaluation twice, then with one weight changed, then with another noise seed
            var first = cache.Run(model, entries, judge, options, Path.Combine(root, "a"), out var hit1);
            var judgedOnce = judge.Calls;
            var second = cache.Run(model, entries, judge, options, Path.Combine(root, "b"), out var hit2);
            var judgedAfterHit = judge.Calls;
            using (Autograd.NoGrad())
            {
                model.Parameters().First().Add_(Tensor.OnesLike(model.Parameters().First()), 1e-3);
            }
            cache.Run(model, entries, judge, options, Path.Combine(root, "c"), out var hitChanged);
            cache.Run(model, entries, judge, options with { Seed = 7 }, Path.Combine(root, "d"), out var hitSeed);

            // Then
            Assert.False(hit1);
            Assert.Equal(entries.Count, judgedOnce);
            Assert.True(hit2);
            Assert.Equal(judgedOnce, judgedAfterHit);
            Assert.Equal(first.Overall, second.Overall);
            Assert.Equal(first.Format(), second.Format());
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", "results.jsonl")), File.ReadAllBytes(Path.Combine(root, "b", "results.jsonl")));
            Assert.True(File.Exists(Path.Combine(root, "b", "grid_position.png")));
            Assert.False(hitChanged);
            Assert.False(hitSeed);
            Assert.Equal(3 * entries.Count, judge.Calls);
            Assert.Equal(3, Directory.GetDirectories(cache.Directory).Length);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private sealed class CountingJudge : IImageJudge
    {
        private int _calls;

        public int Calls => _calls;

        public GenEvalScore Score(RgbImage image, GenEvalEntry entry)
        {
            Interlocked.Increment(ref _calls);
            var pass = image.Data[0] > 0.5f;
            return new GenEvalScore(pass, pass, pass ? 1 : 0, [], pass ? [] : ["dark corner"]) { Cause = pass ? GenEvalFailure.None : GenEvalFailure.WrongColor };
        }
    }
}
