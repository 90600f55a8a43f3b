namespace FlowTune.Nn;

/// <summary>AdamW hyper-parameters (decoupled weight decay, Loshchilov &amp; Hutter 2019).</summary>
public sealed record AdamWOptions
{
    /// <summary>Learning rate (Flow-GRPO reference: 3e-4).</summary>
    public double LearningRate { get; init; } = 3e-4;

    /// <summary>Decay rate of the first moment.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay rate of the second moment.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay: each step multiplies parameters by (1 - lr·wd).</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Every problem with these values (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            problems.Add($"learning rate must be positive and finite, got {LearningRate}");
        }
        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            problems.Add($"beta1 must be in [0, 1), got {Beta1}");
        }
        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            problems.Add($"beta2 must be in [0, 1), got {Beta2}");
        }
        if (!(Epsilon > 0))
        {
            problems.Add($"epsilon must be positive, got {Epsilon}");
        }
        if (!(WeightDecay >= 0))
        {
            problems.Add($"weight decay must be >= 0, got {WeightDecay}");
        }
        return problems;
    }
}
