/// SplitMix64 (Steele, Lea and Flood 2014): a small seedable generator whose output for a seed is fixed
/// by this code alone, so an allocation sequence can be regenerated and checked years later.
/// Swift's `SystemRandomNumberGenerator` cannot be seeded.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A uniform draw from `0..<bound` by rejection, so no value is favoured. Written out rather than
    /// taken from `Int.random(in:using:)`, whose algorithm the standard library may change.
    public mutating func draw(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64(bound)
        let unbiasedCeiling = UInt64.max - UInt64.max % limit
        while true {
            let value = next()
            if value < unbiasedCeiling { return Int(value % limit) }
        }
    }
}

/// One place of an allocation sequence, revealed when a patient is enrolled into it.
public struct AllocationSlot: Hashable, Sendable, Codable {
    /// 1-based position within the cohort and stratum's sequence.
    public let position: Int
    public let blockNumber: Int
    public let blockSize: Int
    public let armCode: String
}

/// Permuted-block randomization with block sizes drawn at random from the allowed sizes.
///
/// Each block holds every arm in proportion to its ratio (a block of 6 under 2:1 holds four of one arm and
/// two of the other) in random order; varying the size keeps the end of a block from being predictable.
/// Each cohort and stratum has its own sequence, seeded from the trial seed and the sequence's name,
/// so strata are balanced separately and adding a stratum does not change the others.
public struct PermutedBlockRandomization: Sendable {
    public let arms: [TrialArm]
    public let blockSizes: [Int]

    /// - Precondition: every block size is a positive multiple of the sum of the ratios (checked when the
    ///   definition is read).
    public init(arms: [TrialArm], blockSizes: [Int]) {
        let ratioSum = arms.map(\.ratio).reduce(0, +)
        precondition(ratioSum > 0 && !blockSizes.isEmpty && blockSizes.allSatisfy { $0 > 0 && $0 % ratioSum == 0 })
        self.arms = arms
        self.blockSizes = blockSizes
    }

    /// Whole blocks covering at least `minimumLength` places of the sequence named `stream`.
    public func sequence(seed: UInt64, stream: String, minimumLength: Int) -> [AllocationSlot] {
        var generator = SplitMix64(seed: seed ^ Self.fingerprint(stream))
        let ratioSum = arms.map(\.ratio).reduce(0, +)
        var slots: [AllocationSlot] = []
        var blockNumber = 0
        while slots.count < minimumLength {
            blockNumber += 1
            let size = blockSizes[generator.draw(below: blockSizes.count)]
            var block = arms.flatMap { arm in Array(repeating: arm.code, count: arm.ratio * size / ratioSum) }
            // Fisher-Yates: each order of the block equally likely.
            for index in stride(from: block.count - 1, to: 0, by: -1) {
                block.swapAt(index, generator.draw(below: index + 1))
            }
            for arm in block {
                slots.append(
                    AllocationSlot(position: slots.count + 1, blockNumber: blockNumber, blockSize: size, armCode: arm))
            }
        }
        return slots
    }

    /// FNV-1a over the stream name: fixed across runs and platforms, unlike `Hasher`, which is seeded per process.
    static func fingerprint(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { hash, byte in (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }
}
