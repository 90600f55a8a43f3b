namespace FlowTune.Models.Sd3;

/// <summary>Turns prompts into what an SD3 transformer is conditioned on (the pipeline's <c>encode_prompt</c>).</summary>
public interface IPromptEncoder : IDisposable
{
    /// <summary>
    /// prompts → tokens [B, L, joint_attention_dim] (prompt_embeds), padding mask [B, L] (all false: SD3 attends
    /// to every position) and pooled [B, pooled_projection_dim] (pooled_prompt_embeds). "" is the negative prompt.
    /// </summary>
    TextBatch Encode(IReadOnlyList<string> prompts);
}
