using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Optimizers;
using Jepa.Verify.Learning.Tensors;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// Trains P-JEPA on all transitions of an MDP or dataset with Adam and minibatches, in one of the
/// <see cref="TrainingMode"/>s, with a step budget, an early stop at the loss target and divergence
/// detection. Training stops early once L_dyn and L_p are both below the target (the theorem's
/// premise, approximately); ablations that leave one loss untrained run their whole budget.
/// The same data and config give bit-identical results.
/// </summary>
/// <remarks>
/// Per minibatch of transitions <c>(o, a, o')</c> the distinct observations are encoded once, then
/// <c>L_dyn = mean ‖T̂(E(o), a) − E(o')‖²</c> (gradients into both sides unless
/// <see cref="PJepaConfig.StopGradTarget"/>) and <c>L_p = mean ‖P̂(E(o)) − p(o)‖²</c>, or a two-hot head's soft
/// cross-entropy (<see cref="PJepaConfig.TwoHot"/>); the step minimises <c>c_dyn · L_dyn + c_p · L_p</c> over the losses
/// its mode trains (<see cref="PJepaConfig.DynWeight"/>, <see cref="PJepaConfig.AuxWeight"/>).
/// Batches walk a seeded shuffle of the transitions, reshuffled every epoch.
/// </remarks>
public static class PJepaTrainer
{
    private const ulong BatchStream = 0x6A65706162617463UL;
    private const ulong AuxStream = 0x72616E646F6D6175UL;

    /// <summary>Trains a new model.</summary>
    /// <param name="data">Observations, transitions and aux targets (at least one transition).</param>
    /// <param name="config">Mode, seed, budget and hyper-parameters.</param>
    /// <param name="progress">Receives the full-data losses at every evaluation, or null.</param>
    /// <param name="cancellation">Stops training between steps (throws <see cref="OperationCanceledException"/>).</param>
    /// <param name="goal">
    /// In joint training, replaces the loss-target stop: once both full-data losses are below the target, it is asked at
    /// every evaluation (model, latents) how far the model is from its certificate; training stops when it is certified,
    /// and continues past the budget while the score improves (<see cref="CertificationScore.Improves"/>, within
    /// <see cref="PJepaConfig.StepCap"/>). When it ends uncertified, the model is put back to the parameters of its best
    /// evaluation, and <see cref="TrainingResult.Steps"/> is that evaluation's step: training on past it can pull pairs
    /// that are told apart only by long action sequences together while the losses keep falling. Null: stop at the loss
    /// target.
    /// </param>
    /// <param name="words">
    /// With <see cref="PJepaConfig.Horizon"/> above 1: walks the joint loss also rolls the model out along, each an
    /// observation followed by the actions to take from it (e.g. the shortest words that tell pairs apart, which the
    /// certificate's rollout clause rolls out); a batch of them joins every minibatch. Actions not observed end a walk.
    /// </param>
    /// <exception cref="ArgumentException">When the data has no transitions or the config is invalid.</exception>
    public static TrainingResult Train(TrainingData data, PJepaConfig config, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        Func<PJepaModel, float[], CertificationScore>? goal = null, IReadOnlyList<ImmutableArray<int>>? words = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(config));
        }

        if (data.TransitionCount == 0)
        {
            throw new ArgumentException("there are no transitions to train on", nameof(data));
        }

        if (config.Mode == TrainingMode.RandomAux)
        {
            // The random map is a vector, regressed by the head with the squared error (as the reference predicts it).
            data = data.WithAux(data.RandomAux(config.RandomAuxDim, new SeededRandom(config.Seed ^ AuxStream)));
            config = config with { TwoHot = null };
        }
        else if (config.TwoHot is not null && data.AuxDim != 1)
        {
            throw new ArgumentException($"a two-hot aux head predicts a scalar aux; this data's aux has {data.AuxDim} components", nameof(config));
        }

        var model = new PJepaModel(ModelShape.For(data, config, data.AuxDim));
        var run = new Run(data, config, model, progress, cancellation, goal, words);
        var (status, message) = config.Mode switch
        {
            TrainingMode.Separate => run.RunPhase(Phase.Dynamics) is var first && first.Status == TrainingStatus.Diverged
                ? first
                : run.RunPhase(Phase.HeadOnFrozenEncoder),
            _ => run.RunPhase(config.Mode switch
            {
                TrainingMode.AuxOnly => Phase.Aux,
                TrainingMode.DynOnly => Phase.Dynamics,
                _ => Phase.Joint,
            }),
        };

        model.Eval();
        var (dyn, aux, latents) = status == TrainingStatus.Diverged
            ? (double.NaN, double.NaN, new float[data.Observations * config.LatentDim])
            : Evaluate(model, data);
        if (status == TrainingStatus.BudgetExhausted && dyn < config.LossTarget && aux < config.LossTarget)
        {
            status = TrainingStatus.Converged;
        }

        return new TrainingResult(config, model, status, run.KeptStep ?? run.Steps, dyn, aux, message, [.. run.History],
            ImmutableArray.Create(latents), [.. data.Aux], data.AuxDim, run.StepTime.Elapsed.TotalSeconds) { StepsTrained = run.Steps };
    }

    /// <summary>L_dyn and L_p over every transition of <paramref name="data"/>, without gradients, accumulated in double.</summary>
    public static (double LossDyn, double LossAux) FullLosses(PJepaModel model, TrainingData data)
    {
        var (dyn, aux, _) = Evaluate(model, data);
        return (dyn, aux);
    }

    /// <summary>The full-data losses and the latents they were computed from (every observation encoded once).</summary>
    private static (double LossDyn, double LossAux, float[] Latents) Evaluate(PJepaModel model, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var z = model.EncodeAll(data);
        var zAll = Tensor.FromArray(z, data.Observations, model.Shape.LatentDim);
        using var _ = GradMode.NoGrad();
        const int chunk = 4096;
        double dyn = 0, aux = 0;
        var m = data.TransitionCount;
        for (var start = 0; start < m; start += chunk)
        {
            var (from, actions, to) = data.TransitionsAt([.. Enumerable.Range(start, Math.Min(chunk, m - start))]);
            var zFrom = Ops.IndexSelect(zAll, from);
            dyn += SquaredDistanceSum(model.PredictNext(zFrom, actions), Ops.IndexSelect(zAll, to));
            aux += AuxLossSum(model, model.PredictAux(zFrom), data.AuxRows(from));
        }

        return (dyn / m, aux / m, z);
    }

    /// <summary>The summed aux loss of a batch: squared distances, or a two-hot head's KL divergences from its targets.</summary>
    private static double AuxLossSum(PJepaModel model, Tensor predicted, Tensor targets)
    {
        if (model.Shape.TwoHot is not { } bins)
        {
            return SquaredDistanceSum(predicted, targets);
        }

        double s = 0;
        for (var r = 0; r < targets.Length; r++)
        {
            s += bins.Divergence(predicted.Data.AsSpan(r * bins.Count, bins.Count), targets.Data[r]);
        }

        return s;
    }

    private static double SquaredDistanceSum(Tensor a, Tensor b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++)
        {
            double diff = a.Data[i] - b.Data[i];
            s += diff * diff;
        }

        return s;
    }

    /// <summary>
    /// The transitions grouped by source observation (CSR): observation o's outgoing transitions are
    /// <c>Transitions[Start[o] .. Start[o + 1]]</c>, in index order.
    /// </summary>
    private static (int[] Start, int[] Transitions) Outgoing(TrainingData data)
    {
        var start = new int[data.Observations + 1];
        foreach (var o in data.From)
        {
            start[o + 1]++;
        }

        for (var o = 0; o < data.Observations; o++)
        {
            start[o + 1] += start[o];
        }

        var next = (int[])start.Clone();
        var transitions = new int[data.TransitionCount];
        for (var k = 0; k < data.TransitionCount; k++)
        {
            transitions[next[data.From[k]]++] = k;
        }

        return (start, transitions);
    }

    private enum Phase
    {
        Joint,
        Aux,
        Dynamics,
        HeadOnFrozenEncoder,
    }

    /// <summary>The mutable state of one run: batches, step count and history.</summary>
    private sealed class Run(TrainingData data, PJepaConfig config, PJepaModel model, IProgress<TrainingProgress>? progress, CancellationToken cancellation,
        Func<PJepaModel, float[], CertificationScore>? goal, IReadOnlyList<ImmutableArray<int>>? words)
    {
        private const ulong PenaltyStream = 0x6C69707363686974UL;
        private readonly LipschitzPenalty? penalty = config.LipschitzPenalty > 0 && config.Mode is TrainingMode.Joint or TrainingMode.RandomAux
            ? new LipschitzPenalty(model, new SeededRandom(config.Seed ^ PenaltyStream))
            : null;

        private const ulong WalkStream = 0x77616C6B73746570UL;
        private readonly SeededRandom batches = new(config.Seed ^ BatchStream);
        private readonly SeededRandom walkRandom = new(config.Seed ^ WalkStream);
        private readonly (int[] Start, int[] Transitions) outgoing = Outgoing(data);
        private readonly ImmutableArray<int>[] words = config.EffectiveHorizon > 1 && words is not null
            ? [.. words.Where(w => w.Length >= 3)]
            : [];
        private int wordCursor = int.MaxValue;
        private readonly int[] order = [.. Enumerable.Range(0, data.TransitionCount)];
        private readonly int[] position = Enumerable.Repeat(-1, data.Observations).ToArray();
        private readonly int totalSteps = config.Mode == TrainingMode.Separate ? 2 * config.Steps : config.Steps;
        private int cursor = data.TransitionCount;

        public int Steps { get; private set; }

        /// <summary>The step whose parameters the model was put back to, or null when it keeps its last ones.</summary>
        public int? KeptStep { get; private set; }

        public System.Diagnostics.Stopwatch StepTime { get; } = new();

        public List<LossPoint> History { get; } = [];

        /// <summary>Budget extensions allowed in a row without a new best certificate.</summary>
        private const int Patience = 8;

        public (TrainingStatus Status, string? Message) RunPhase(Phase phase)
        {
            var parameters = phase switch
            {
                Phase.Aux => [.. model.Encoder.Parameters(), .. model.AuxHead.Parameters(), .. model.Transition.Parameters()],
                Phase.Dynamics => [.. model.Encoder.Parameters(), .. model.Transition.Parameters()],
                Phase.HeadOnFrozenEncoder => model.AuxHead.Parameters(),
                _ => model.Parameters(),
            };
            var optimizer = new Adam(parameters, config.LearningRate, weightDecay: config.WeightDecay);
            if (config.EncoderLearningRateScale != 1f && phase != Phase.HeadOnFrozenEncoder)
            {
                optimizer.ScaleLearningRate(model.Encoder.Parameters(), config.EncoderLearningRateScale);
            }

            model.Train();
            var certify = phase == Phase.Joint ? goal : null;
            var limit = config.Steps;
            CertificationScore? best = null;
            (int Step, float[][] Values)? kept = null; // the parameters at the best evaluation
            var idle = 0; // extensions since the certificate last improved
            for (var step = 1; step <= limit; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                StepTime.Start();
                if (config.CosineSchedule)
                {
                    optimizer.LearningRate = (float)(config.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - 1) / config.Steps)));
                }

                var loss = Loss(phase, NextBatch());
                var value = loss.Item();
                if (!float.IsFinite(value))
                {
                    StepTime.Stop();
                    return (TrainingStatus.Diverged, string.Create(CultureInfo.InvariantCulture,
                        $"the training loss became {value} at step {Steps + 1}; lower the learning rate (now {config.LearningRate}) or set a gradient clip norm"));
                }

                optimizer.ZeroGrad();
                loss.Backward();
                if (config.GradClipNorm > 0)
                {
                    GradClip.ClipGradNorm(parameters, config.GradClipNorm);
                }

                optimizer.Step();
                StepTime.Stop();
                Steps++;
                if (step % config.EvalEvery == 0 || step == limit)
                {
                    var (dyn, aux, latents) = Evaluate(model, data);
                    model.Train();
                    History.Add(new LossPoint(Steps, dyn, aux));
                    progress?.Report(new TrainingProgress(Steps, totalSteps, dyn, aux));
                    if (!double.IsFinite(dyn + aux))
                    {
                        return (TrainingStatus.Diverged, string.Create(CultureInfo.InvariantCulture,
                            $"the full-data loss became {dyn + aux} at step {Steps}; lower the learning rate (now {config.LearningRate}) or set a gradient clip norm"));
                    }

                    var lossesReached = dyn < config.LossTarget && aux < config.LossTarget;
                    if (certify is null && lossesReached)
                    {
                        return (TrainingStatus.Converged, null);
                    }

                    if (certify is not null && (lossesReached || step == limit))
                    {
                        model.Eval();
                        var score = certify(model, latents);
                        model.Train();
                        if (score.Certified)
                        {
                            return (TrainingStatus.Converged, null);
                        }

                        var improved = score.Improves(best);
                        if (improved)
                        {
                            best = score;
                            kept = (Steps, Snapshot(parameters, kept?.Values));
                        }

                        if (step == limit && limit < config.EffectiveStepCap && !config.CosineSchedule)
                        {
                            // A better score than ever before: extend the budget by a quarter, within the cap (not with a cosine
                            // schedule, whose step size has reached 0 at the budget). The score wanders between evaluations, so
                            // up to Patience extensions without a new best are allowed.
                            idle = improved ? 0 : idle + 1;
                            if (idle <= Patience)
                            {
                                limit = Math.Min(config.EffectiveStepCap, limit + Math.Max(config.EvalEvery, config.Steps / 4));
                            }
                        }
                    }
                }
            }

            if (kept is { } k && k.Step != Steps)
            {
                Restore(parameters, k.Values);
                KeptStep = k.Step;
            }

            return (TrainingStatus.BudgetExhausted, null);
        }

        /// <summary>Copies the parameters' values into <paramref name="into"/> (reused when given).</summary>
        private static float[][] Snapshot(IReadOnlyList<Tensor> parameters, float[][]? into)
        {
            into ??= [.. parameters.Select(p => new float[p.Length])];
            for (var i = 0; i < parameters.Count; i++)
            {
                parameters[i].Data.CopyTo(into[i], 0);
            }

            return into;
        }

        private static void Restore(IReadOnlyList<Tensor> parameters, float[][] values)
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                values[i].CopyTo(parameters[i].Data, 0);
            }
        }

        private Tensor Loss(Phase phase, int[] batch)
        {
            var multiStep = phase == Phase.Joint && config.EffectiveHorizon > 1;
            var fixedWords = multiStep ? NextWords(batch.Length) : [];
            var (from, actions, to) = data.TransitionsAt([.. batch, .. fixedWords.Select(w => w.First)]);
            var needsTargets = phase is Phase.Joint or Phase.Dynamics or Phase.Aux;
            var walks = multiStep ? Walks(to, batch.Length, fixedWords) : null;
            var distinct = Distinct(from, needsTargets ? (walks is null ? to : [.. walks.SelectMany(s => s.Targets)]) : []); // walks[0] is `to`
            Tensor z;
            if (phase == Phase.HeadOnFrozenEncoder)
            {
                using (GradMode.NoGrad())
                {
                    z = model.Encoder.Forward(data.FeatureRows(distinct));
                }
            }
            else
            {
                z = model.Encoder.Forward(data.FeatureRows(distinct));
            }

            var zFrom = Ops.IndexSelect(z, Positions(from));
            Tensor? dyn = null, aux = null;
            if (needsTargets)
            {
                var zTo = Ops.IndexSelect(z, Positions(to));
                dyn = phase == Phase.Aux
                    // The reference's reward-only model: the transition is fitted on detached latents, the encoder sees the aux alone.
                    ? Ops.MeanSquaredDistance(model.PredictNext(zFrom.Detach(), actions), zTo.Detach())
                    : Ops.MeanSquaredDistance(model.PredictNext(zFrom, actions), config.StopGradTarget ? zTo.Detach() : zTo);
            }

            if (phase != Phase.Dynamics)
            {
                var predicted = model.PredictAux(zFrom);
                aux = config.TwoHot is { } bins
                    ? Ops.TwoHotCrossEntropy(predicted, data.AuxRows(from).Data, bins)
                    : Ops.MeanSquaredDistance(predicted, data.AuxRows(from));
            }

            if (walks is { } w && phase == Phase.Joint && dyn is not null && aux is not null)
            {
                // Roll the model out open-loop along each walk: step t's latent is T̂ applied t times to E(o₀). The aux terms are
                // P̂(E(o₀)) (the one-step L_p) and P̂ at steps 2, 3, …: step 1's prediction is held to E(o₁), not to p(o₁).
                // (It is computed again rather than shared with the one-step L_dyn above: sharing changes the gradient's
                // summation order, and so every trained model.)
                var rolled = model.PredictNext(zFrom, actions);
                var dynSum = dyn;
                var auxSum = aux;
                var terms = 1;
                for (var t = 1; t < w.Length && w[t].Rows.Length > 0; t++)
                {
                    var (rows, stepActions, targets) = w[t];
                    rolled = model.PredictNext(Ops.IndexSelect(rolled, rows), stepActions);
                    dynSum = Ops.Add(dynSum, Ops.MeanSquaredDistance(rolled, Ops.IndexSelect(z, Positions(targets))));
                    auxSum = Ops.Add(auxSum, Ops.MeanSquaredDistance(model.PredictAux(rolled), data.AuxRows(targets)));
                    terms++;
                }

                dyn = Ops.Scale(dynSum, 1f / terms);
                aux = Ops.Scale(auxSum, 1f / terms);
            }

            foreach (var o in distinct)
            {
                position[o] = -1;
            }

            var total = (dyn, aux) switch
            {
                ({ } d, { } p) => Ops.Add(Weighted(d, config.DynWeight), Weighted(p, config.AuxWeight)),
                ({ } d, null) => Weighted(d, config.DynWeight),
                (null, { } p) => Weighted(p, config.AuxWeight),
                _ => throw new InvalidOperationException("a phase trains at least one loss"),
            };
            return penalty is not null && phase == Phase.Joint ? Ops.Add(total, Ops.Scale(penalty.Value(), config.LipschitzPenalty)) : total;
        }

        private static Tensor Weighted(Tensor loss, float weight) => weight == 1f ? loss : Ops.Scale(loss, weight);

        /// <summary>The distinct observations of a batch in ascending order; fills <see cref="position"/> for them.</summary>
        private int[] Distinct(int[] a, int[] b)
        {
            var list = new List<int>(a.Length + b.Length);
            foreach (var o in a.Concat(b))
            {
                if (position[o] < 0)
                {
                    position[o] = 0;
                    list.Add(o);
                }
            }

            list.Sort();
            for (var i = 0; i < list.Count; i++)
            {
                position[list[i]] = i;
            }

            return [.. list];
        }

        /// <summary>
        /// Continues each batch transition's walk for up to <see cref="PJepaConfig.Horizon"/> − 1 more steps: per step, the
        /// rows (into the previous step's walks) that go on, their actions and the observations they reach. A walk ends
        /// where its observation has no observed transition.
        /// </summary>
        /// <remarks>
        /// Rows from <paramref name="randomRows"/> on follow <paramref name="fixedWords"/>' remaining actions (up to
        /// <see cref="Certify.RolloutClause.MaxLength"/> steps in all) instead of random ones, and end with them.
        /// </remarks>
        private (int[] Rows, int[] Actions, int[] Targets)[] Walks(int[] to, int randomRows, (int First, ImmutableArray<int> Word)[] fixedWords)
        {
            var length = Math.Max(config.Horizon, fixedWords.Length == 0 ? 0 : Math.Min(Certify.RolloutClause.MaxLength, fixedWords.Max(w => w.Word.Length)));
            var steps = new List<(int[] Rows, int[] Actions, int[] Targets)>(length) { ([], [], to) };
            var current = to;
            var walk = Enumerable.Range(0, to.Length).ToArray(); // which batch row each current row continues
            for (var t = 1; t < length && current.Length > 0; t++)
            {
                var rows = new List<int>(current.Length);
                var acts = new List<int>(current.Length);
                var next = new List<int>(current.Length);
                var nextWalk = new List<int>(current.Length);
                for (var i = 0; i < current.Length; i++)
                {
                    var (first, end) = (outgoing.Start[current[i]], outgoing.Start[current[i] + 1]);
                    var k = -1;
                    if (walk[i] < randomRows)
                    {
                        k = t < config.Horizon && end > first ? outgoing.Transitions[first + walkRandom.NextInt(end - first)] : -1;
                    }
                    else if (fixedWords[walk[i] - randomRows].Word is var word && t < Math.Min(word.Length, Certify.RolloutClause.MaxLength))
                    {
                        for (var j = first; j < end && k < 0; j++)
                        {
                            k = data.Action[outgoing.Transitions[j]] == word[t] ? outgoing.Transitions[j] : -1;
                        }
                    }

                    if (k >= 0)
                    {
                        rows.Add(i);
                        acts.Add(data.Action[k]);
                        next.Add(data.To[k]);
                        nextWalk.Add(walk[i]);
                    }
                }

                steps.Add(([.. rows], [.. acts], [.. next]));
                current = steps[^1].Targets;
                walk = [.. nextWalk];
            }

            return [.. steps];
        }

        /// <summary>
        /// Up to <paramref name="count"/> of the given words, walking a seeded shuffle of them (reshuffled every pass), each
        /// as the index of its first transition and the word; words whose first action is not observed are skipped.
        /// </summary>
        private (int First, ImmutableArray<int> Word)[] NextWords(int count)
        {
            var result = new List<(int, ImmutableArray<int>)>(Math.Min(count, words.Length));
            for (var i = 0; i < Math.Min(count, words.Length); i++)
            {
                if (wordCursor >= words.Length)
                {
                    walkRandom.Shuffle(words.AsSpan());
                    wordCursor = 0;
                }

                // A word is stored as [start, action₁, action₂, …].
                var w = words[wordCursor++];
                for (var j = outgoing.Start[w[0]]; j < outgoing.Start[w[0] + 1]; j++)
                {
                    if (data.Action[outgoing.Transitions[j]] == w[1])
                    {
                        result.Add((outgoing.Transitions[j], w[1..]));
                        break;
                    }
                }
            }

            return [.. result];
        }

        private int[] Positions(int[] observations) => [.. observations.Select(o => position[o])];

        private int[] NextBatch()
        {
            var size = Math.Min(config.BatchSize, order.Length);
            var batch = new int[size];
            for (var i = 0; i < size; i++)
            {
                if (cursor == order.Length)
                {
                    batches.Shuffle(order.AsSpan());
                    cursor = 0;
                }

                batch[i] = order[cursor++];
            }

            return batch;
        }
    }
}
