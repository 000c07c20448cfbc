using System.CommandLine;
using System.Globalization;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Environments.Gridworld;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Formats;
using Jepa.Verify.Pipeline;

namespace Jepa.Verify.Cli.Commands;

/// <summary><c>jepa-verify env counting|gridworld …</c>: builds a built-in image environment, summarises it, and exports it as MDP JSON.</summary>
internal static class EnvCommand
{
    public static Command Create(CommandIo io)
    {
        var defaults = new CountingOptions();
        var families = new Option<int>("--families") { Description = "Observation families: one shape (cycling circle, square, triangle, line) and one colour each", DefaultValueFactory = _ => defaults.Families, HelpName = "N" };
        var layouts = new Option<int>("--layouts") { Description = "Exact mode: object layouts per (family, count)", DefaultValueFactory = _ => defaults.Layouts, HelpName = "L" };
        var size = new Option<int>("--size") { Description = $"Image side in pixels ({CountingRenderer.MinSize}–{CountingRenderer.MaxSize})", DefaultValueFactory = _ => defaults.Size, HelpName = "px" };
        var target = new Option<int>("--target") { Description = "The rewarded count (0–8)", DefaultValueFactory = _ => defaults.Target, HelpName = "count" };
        var dense = new Option<bool>("--dense") { Description = "Dense reward 1 − |count − target| / 8 instead of 1 iff count = target" };
        var seed = new Option<ulong>("--seed") { Description = "Seeds colours, layouts and (dataset mode) trajectories", DefaultValueFactory = _ => 0UL, HelpName = "S" };
        var dataset = new Option<bool>("--dataset") { Description = "The paper's setting: random trajectories with positions redrawn on every count change, kept as a transition dataset" };
        var episodes = new Option<int>("--episodes") { Description = "Dataset mode: trajectories", DefaultValueFactory = _ => 20, HelpName = "E" };
        var steps = new Option<int>("--steps") { Description = "Dataset mode: actions per trajectory", DefaultValueFactory = _ => 30, HelpName = "T" };
        var noFeatures = new Option<bool>("--no-features") { Description = "Leave out the pixels (structure only; much smaller files)" };
        var channelMajor = new Option<bool>("--channel-major") { Description = "Write the pixels channel-major (all R, then G, then B), the layout 'train --image 3xNxN' reads; default interleaved RGB" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object" };
        var export = new Option<string?>("--export") { Description = "Write the MDP in the JSON format every command reads (written atomically; - for standard output)", HelpName = "FILE" }.NonEmpty();
        var counting = new Command("counting", "The paper's counting environment on images: inc/dec change the number of objects (0–8), reward 1 iff count = target. Prints its size, conditions and bisimulation classes; --export writes it as MDP JSON. Exit 0, or 2 on bad options.");
        foreach (var o in new Option[] { families, layouts, size, target, dense, seed, dataset, episodes, steps, noFeatures, channelMajor, export, json })
        {
            counting.Options.Add(o);
        }

        counting.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var options = new CountingOptions(r.GetValue(families), r.GetValue(layouts), r.GetValue(size), r.GetValue(target),
                r.GetValue(dense) ? CountingReward.Dense : CountingReward.Sparse, r.GetValue(seed), !r.GetValue(noFeatures), r.GetValue(channelMajor));
            if (options.Problem() is { } problem)
            {
                throw new UsageException(problem);
            }

            var path = r.GetValue(export);
            if (path == "-" && r.GetValue(json))
            {
                throw new UsageException("--json and --export - would both write to standard output; export to a file (--export FILE) or leave out --json");
            }

            MdpModel mdp;
            if (r.GetValue(dataset))
            {
                var (e, t) = (r.GetValue(episodes), r.GetValue(steps));
                if (CountingEnvironment.DatasetProblem(e, t) is { } datasetProblem)
                {
                    throw new UsageException("--" + datasetProblem.Replace(" and steps", " and --steps", StringComparison.Ordinal));
                }

                mdp = CountingEnvironment.Dataset(options, e, t);
            }
            else
            {
                mdp = CountingEnvironment.Exact(options);
            }

            return Emit(io, mdp, "counting", path, r.GetValue(json), options.ChannelMajor, w => Json(w, options, r.GetValue(dataset) ? (r.GetValue(episodes), r.GetValue(steps)) : null));
        }));
        var command = new Command("env", "Built-in environments, summarised or exported as MDP files.");
        command.Subcommands.Add(counting);
        command.Subcommands.Add(Gridworld(io));
        return command;
    }

    /// <summary><c>env gridworld</c>: the image gridworld with a key, a locked door, a goal and a cosmetic distractor.</summary>
    private static Command Gridworld(CommandIo io)
    {
        var defaults = new GridworldOptions();
        var size = new Option<int>("--size") { Description = $"Grid side in cells ({GridworldOptions.MinSize}–{GridworldOptions.MaxSize}); the wall runs down column ⌊size/2⌋ with the door at row ⌊size/2⌋", DefaultValueFactory = _ => defaults.Size, HelpName = "cells" };
        var walls = new Option<int>("--walls") { Description = "Extra interior wall cells, placed by --seed where they keep the start, key, door and goal connected (up to a quarter of the cells)", DefaultValueFactory = _ => defaults.Walls, HelpName = "N" };
        var noKey = new Option<bool>("--no-key") { Description = "No key and no lock: the door cell is an open gap in the wall" };
        var reward = new Option<double>("--goal-reward") { Description = "The aux value at the goal cell (0 elsewhere)", DefaultValueFactory = _ => defaults.GoalReward, HelpName = "r" };
        var distractors = new Option<int>("--distractors") { Description = $"Floor tints (1–{GridworldOptions.MaxDistractors}): each episode keeps its tint and nothing depends on it, so tints collapse (1 = no distractor)", DefaultValueFactory = _ => defaults.Distractors, HelpName = "K" };
        var image = new Option<int>("--image-size") { Description = $"Image side in pixels (the grid side to {GridworldOptions.MaxImageSize})", DefaultValueFactory = _ => defaults.ImageSize, HelpName = "px" };
        var seed = new Option<ulong>("--seed") { Description = "Places the extra walls", DefaultValueFactory = _ => 0UL, HelpName = "S" };
        var noFeatures = new Option<bool>("--no-features") { Description = "Leave out the pixels (structure only)" };
        var channelMajor = new Option<bool>("--channel-major") { Description = "Write the pixels channel-major ([3, px, px], what 'train --image 3xPxP' and PyTorch read); default interleaved RGB" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object" };
        var export = new Option<string?>("--export") { Description = "Write the MDP in the JSON format every command reads (written atomically; - for standard output)", HelpName = "FILE" }.NonEmpty();
        var gridworld = new Command("gridworld", "An image gridworld: a wall down the middle with a door that opens only to an agent holding the key, the key bottom-left, the start top-left, the goal (aux = reward) top-right behind the wall, and floor tints as a cosmetic distractor. Long witnesses (cells are told apart by where long action sequences lead), key-dependent dynamics, a healthy collapse of the tints. Prints its size, conditions and bisimulation classes; --export writes it as MDP JSON. Exit 0, or 2 on bad options.");
        foreach (var o in new Option[] { size, walls, noKey, reward, distractors, image, seed, noFeatures, channelMajor, export, json })
        {
            gridworld.Options.Add(o);
        }

        gridworld.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var options = new GridworldOptions(r.GetValue(size), r.GetValue(walls), !r.GetValue(noKey), r.GetValue(reward), r.GetValue(distractors),
                r.GetValue(image), r.GetValue(seed), !r.GetValue(noFeatures), r.GetValue(channelMajor));
            if (GridworldEnvironment.Problem(options) is { } problem)
            {
                throw new UsageException(problem);
            }

            var mdp = GridworldEnvironment.Build(options);
            return Emit(io, mdp, "gridworld", r.GetValue(export), r.GetValue(json), options.ChannelMajor, w =>
            {
                w.WriteNumber("size", options.Size);
                w.WriteNumber("walls", options.Walls);
                w.WriteBoolean("key", options.Key);
                w.WriteNumber("goal_reward", options.GoalReward);
                w.WriteNumber("distractors", options.Distractors);
                w.WriteNumber("image_size", options.ImageSize);
                w.WriteNumber("seed", options.Seed);
            });
        }));
        return gridworld;
    }

    /// <summary>
    /// Writes the MDP where <paramref name="path"/> says (written atomically), then the summary: one JSON object (the
    /// environment's <paramref name="settings"/>, then what every environment reports) or text lines.
    /// </summary>
    private static int Emit(CommandIo io, MdpModel mdp, string name, string? path, bool json, bool channelMajor, Action<System.Text.Json.Utf8JsonWriter> settings)
    {
        if (path == "-" && json)
        {
            throw new UsageException("--json and --export - would both write to standard output; export to a file (--export FILE) or leave out --json");
        }

        if (path is not null)
        {
            var description = $"{mdp.Source}; written by 'jepa-verify env {name}'";
            io.Emit(path, stream => MdpJsonWriter.Write(stream, mdp, description));
        }

        if (json)
        {
            io.Out.Write(JsonText.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("environment", name);
                settings(w);
                Common(w, mdp, channelMajor, path);
                w.WriteEndObject();
            }));
        }
        else if (path != "-")
        {
            io.Out.Write(Summary(mdp, path));
        }

        return ExitCodes.Ok;
    }

    /// <summary>The counting environment's settings in the JSON summary.</summary>
    private static void Json(System.Text.Json.Utf8JsonWriter w, CountingOptions options, (int Episodes, int Steps)? dataset)
    {
        w.WriteString("mode", dataset is null ? "exact" : "dataset");
        w.WriteNumber("families", options.Families);
        if (dataset is { } d)
        {
            w.WriteNumber("episodes", d.Episodes);
            w.WriteNumber("steps", d.Steps);
        }
        else
        {
            w.WriteNumber("layouts", options.Layouts);
        }

        w.WriteNumber("size", options.Size);
        w.WriteNumber("target", options.Target);
        w.WriteString("reward", options.Reward == CountingReward.Dense ? "dense" : "sparse");
        w.WriteNumber("seed", options.Seed);
    }

    /// <summary>What every environment's JSON summary holds: the MDP's size and conditions, its features, labels, classes (or the finite-data relation), and where it was written.</summary>
    private static void Common(System.Text.Json.Utf8JsonWriter w, MdpModel mdp, bool channelMajor, string? path)
    {
        var analysis = Analysis.Of(mdp, new BisimulationOptions());
        JsonText.MdpSummary(w, analysis);
        var features = mdp.Features.Length > 0 && !mdp.Features[0].IsDefault ? mdp.Features[0].Length : 0;
        w.WriteNumber("features", features);
        if (features > 0)
        {
            w.WriteString("pixel_layout", channelMajor ? "channel-major" : "interleaved");
        }
        else
        {
            w.WriteNull("pixel_layout");
        }

        w.WriteStartArray("labels");
        foreach (var label in mdp.Labels.Keys)
        {
            w.WriteStringValue(label);
        }

        w.WriteEndArray();
        if (analysis.Result.Partition is { } p)
        {
            w.WriteNumber("classes", p.Count);
        }
        else
        {
            w.WriteNull("classes");
            w.WriteNumber("distinguishable_pairs", analysis.Result.Relation!.DistinguishedCount);
            w.WriteNumber("pairs", analysis.Result.Relation.PairCount);
        }

        if (path is null)
        {
            w.WriteNull("written_to");
        }
        else
        {
            w.WriteString("written_to", path);
        }
    }

    private static string Summary(MdpModel mdp, string? path)
    {
        var analysis = Analysis.Of(mdp, new BisimulationOptions());
        var result = analysis.Result;
        var classes = result.Partition is { } p
            ? $"{p.Count} bisimulation classes"
            : $"finite data: {result.Relation!.DistinguishedCount} of {result.Relation.PairCount} pairs distinguishable";
        var features = mdp.Features.Length > 0 && !mdp.Features[0].IsDefault ? $"{mdp.Features[0].Length} features (pixels) per observation" : "no features";
        var lines = string.Create(CultureInfo.InvariantCulture, $"{analysis.Summary()}\n{features}; labels {string.Join(", ", mdp.Labels.Keys)}\n{classes}\n");
        return path is null ? lines : lines + $"written to {path}\n";
    }
}
