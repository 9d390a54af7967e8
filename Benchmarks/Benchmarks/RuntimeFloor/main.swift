// The Swift runtime's own cost of an awaited round trip, with no socket,
// parser or protocol: tasks park on a continuation that another thread
// resumes, as a command awaits the reply the I/O thread reads. It is the
// floor under `genesis bench api`: no ESL client written with async/await
// on this runtime can go faster, or spend less CPU per command, than this.
//
//   swift build -c release --package-path Benchmarks --product RuntimeFloor
//   Benchmarks/.build/release/RuntimeFloor [--count N] [--rounds R]
//
// For 1 and 100 lanes (round trips in flight), tasks on the global executor
// and tasks preferring the resuming thread, with and without a
// cancellation handler around each wait, it prints the best rate of the
// rounds and the median CPU per round trip (the whole process, every core).
import Foundation

let arguments = CommandLine.arguments
func option(_ name: String) -> Int? {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }
}
let count = option("--count") ?? 2_000_000
let rounds = max(1, option("--rounds") ?? 3)

print("round trips  in flight  executor         cancellation handler  best per second  median CPU ns per round trip")
for lanes in [1, 100] {
    // One at a time, the global executor's thread wake-ups make a round
    // trip a hundred times slower: fewer of them keep the run short.
    let runCount = lanes == 1 ? count / 10 : count
    for onResumingThread in [false, true] {
        for cancellable in [false, true] {
            var results: [FloorRun.Result] = []
            for _ in 0..<rounds {
                let run = FloorRun(
                    count: runCount, lanes: lanes, onResumingThread: onResumingThread, cancellable: cancellable)
                results.append(await run.run())
            }
            let best = results.map(\.perSecond).max() ?? 0
            let cpu = results.map(\.cpuNanoseconds).sorted()[results.count / 2]
            let executor = onResumingThread ? "resuming thread" : "global"
            let line = [
                String(runCount).padding(toLength: 13, withPad: " ", startingAt: 0),
                String(lanes).padding(toLength: 11, withPad: " ", startingAt: 0),
                executor.padding(toLength: 17, withPad: " ", startingAt: 0),
                (cancellable ? "yes" : "no").padding(toLength: 22, withPad: " ", startingAt: 0),
                String(Int(best)).padding(toLength: 17, withPad: " ", startingAt: 0),
                String(Int(cpu)),
            ]
            print(line.joined())
        }
    }
}
