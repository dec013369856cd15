import Foundation
import NIOConcurrencyHelpers
import Postgres

/// Values decoded from JSON the database returns, once per distinct text: the schedule of every
/// change reads a branch's policies and working hours (``ComplaintStore/refreshSchedule``), and
/// they change seldom. Keyed by the exact text, so a changed policy or week is a new entry; the
/// least recently used entries go when the memo is full.
final class DecodedTextMemo<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var lastUse: UInt64
    }

    private let capacity: Int
    private let decode: @Sendable (PGJSONText) throws -> Value
    private let state = NIOLockedValueBox((entries: [Data: Entry](), clock: UInt64(0)))

    /// A memo of at most `capacity` texts, each decoded with `decode`.
    init(capacity: Int = 256, decode: @escaping @Sendable (PGJSONText) throws -> Value) {
        self.capacity = capacity
        self.decode = decode
    }

    /// What `text` decodes to.
    func value(_ text: PGJSONText) throws -> Value {
        let known = state.withLockedValue { state -> Value? in
            guard var entry = state.entries[text.bytes] else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[text.bytes] = entry
            return entry.value
        }
        if let known { return known }
        let value = try decode(text)
        state.withLockedValue { state in
            if state.entries[text.bytes] == nil, state.entries.count >= capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
            }
            state.clock += 1
            state.entries[text.bytes] = Entry(value: value, lastUse: state.clock)
        }
        return value
    }
}
