import RegistryDomain
import Testing

@Suite("Stratified permuted blocks: the ratio honoured in every block, strata balanced, sequences reproducible")
struct PermutedBlockRandomizationTests {
    static let arms = [
        TrialArm(code: "vimseltinib", label: "vimseltinib", ratio: 2, agents: ["vimseltinib"]),
        TrialArm(code: "placebo", label: "placebo", ratio: 1, agents: []),
    ]
    let randomization = PermutedBlockRandomization(arms: Self.arms, blockSizes: [3, 6])

    /// The largest deviation of any arm from its share of `assignments` (n · ratio / ratio sum).
    static func imbalance(_ counts: [String: Int]) -> Double {
        let total = Double(counts.values.reduce(0, +))
        return arms.map { arm in abs(Double(counts[arm.code, default: 0]) - total * Double(arm.ratio) / 3) }.max()!
    }

    @Test(
        "1,200 enrollments 2:1 spread over MOTION's four strata: no stratum's imbalance ever exceeds half the largest block (3)"
    )
    func strataStayBalanced() throws {
        let strata = try #require(try TrialFixtures.motion().randomization).strataKeys
        let sequences = Dictionary(
            uniqueKeysWithValues: strata.map { key in
                (key, randomization.sequence(seed: 5_059_262, stream: "part1|\(key)", minimumLength: 1_200))
            })
        var next: [String: Int] = [:]
        var counts: [String: [String: Int]] = [:]
        var arrivals = SplitMix64(seed: 42)
        var worst = 0.0
        for _ in 0..<1_200 {
            // Patients arrive in strata unevenly: the first stratum takes about half of them.
            let stratum = strata[[0, 0, 0, 0, 1, 2, 3, 3][arrivals.draw(below: 8)]]
            let slot = sequences[stratum]![next[stratum, default: 0]]
            next[stratum, default: 0] += 1
            counts[stratum, default: [:]][slot.armCode, default: 0] += 1
            worst = max(worst, Self.imbalance(counts[stratum]!))
        }
        #expect(next.values.reduce(0, +) == 1_200)
        #expect(worst <= 3.0)
        #expect(worst > 0)
        let totals = counts.values.reduce(into: [String: Int]()) { sum, stratum in
            for (arm, count) in stratum { sum[arm, default: 0] += count }
        }
        #expect(abs(Double(totals["vimseltinib"]!) - 800) <= 3.0 * 4)
    }

    @Test("every block holds the arms exactly 2:1, and block sizes are drawn from 3 and 6, both used")
    func blocksHonourRatio() {
        let slots = randomization.sequence(seed: 7, stream: "part1|", minimumLength: 600)
        let blocks = Dictionary(grouping: slots, by: \.blockNumber)
        for (_, block) in blocks {
            let size = block[0].blockSize
            #expect(block.count == size)
            #expect(block.filter { $0.armCode == "vimseltinib" }.count == size * 2 / 3)
        }
        #expect(Set(slots.map(\.blockSize)) == [3, 6])
        #expect(slots.map(\.position) == Array(1...slots.count))
        #expect(slots.count >= 600 && slots.count < 606)
    }

    @Test("the same seed and stream give the same sequence on every generation; another seed or stratum gives another")
    func reproducible() {
        let prefix = { (seed: UInt64, stream: String) in
            randomization.sequence(seed: seed, stream: stream, minimumLength: 30).prefix(30).map(\.armCode)
        }
        let first = prefix(5_059_262, "part1|tumor_location=other;region=us")
        let second = prefix(5_059_262, "part1|tumor_location=other;region=us")
        #expect(first == second)
        #expect(first.count == 30)
        #expect(prefix(5_059_263, "part1|tumor_location=other;region=us") != first)
        #expect(prefix(5_059_262, "part1|tumor_location=other;region=non_us") != first)
    }

    @Test("SplitMix64 draws below a bound stay in range and reach every value")
    func boundedDraws() {
        var generator = SplitMix64(seed: 1)
        let draws = (0..<600).map { _ in generator.draw(below: 6) }
        #expect(Set(draws) == Set(0..<6))
    }
}
