using FlowTune.Worlds.Shapes;

namespace FlowTune.Tests.Worlds.Shapes;

public class SceneSamplerTests
{
    [Fact]
    public void Should_KeepObjectsInsideAndApart_When_Sampling()
    {
        // Given
        var options = new ShapesWorldOptions();
        var sampler = new SceneSampler(options);
        var random = new Random(7);

        // When
        var scenes = Enumerable.Range(0, 300).Select(_ => sampler.Sample(random)).ToList();

        // Then
        foreach (Scene scene in scenes)
        {
            Assert.InRange(scene.Objects.Count, 1, 4);
            foreach (SceneObject o in scene.Objects)
            {
                Assert.InRange(o.Size, 7, 11);
                Assert.True(o.Left >= 1 && o.Top >= 1 && o.Right <= 31 && o.Bottom <= 31, o.ToString());
            }

            for (int i = 0; i < scene.Objects.Count; i++)
            {
                for (int j = i + 1; j < scene.Objects.Count; j++)
                {
                    Assert.True(ScenePlacer.Separated(scene.Objects[i], scene.Objects[j], options.Gap), scene.Describe());
                }
            }
        }

        Assert.Equal(4, scenes.Select(s => s.Objects.Count).Distinct().Count());
    }

    [Fact]
    public void Should_RepeatScenes_When_SeedRepeats()
    {
        // Given
        var sampler = new SceneSampler();

        // When
        Scene first = sampler.Sample(new Random(11));
        Scene second = sampler.Sample(new Random(11));

        // Then
        Assert.Equal(first.Describe(), second.Describe());
    }
}
