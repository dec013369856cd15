import Foundation
import Postgres

/// The operator's side of personal-data protection, run as the owner: re-seals every complaint
/// whose personal data is under an older key (or still in the clear, from before sealing) with
/// the current key, in batches, each row in a transaction with the batch.
public struct PersonalDataStore: Sendable {
    let owner: PGPool
    let vault: PersonalDataVault

    /// Creates the store on the owner's pool with the key ring to re-seal with.
    public init(owner: PGPool, keys: PersonalDataKeys) {
        self.owner = owner
        vault = PersonalDataVault(keys: keys)
    }

    /// What a re-sealing pass found.
    public struct Resealed: Sendable, Equatable {
        /// Rows now sealed with the current key.
        public var resealed = 0
        /// Rows whose key is not in the ring (left as they are).
        public var unreadable = 0

        /// Creates a result.
        public init(resealed: Int = 0, unreadable: Int = 0) {
            self.resealed = resealed
            self.unreadable = unreadable
        }
    }

    /// How many rows are sealed with each key id, and how many are still in the clear.
    public func census() async throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try await owner.query("""
            SELECT coalesce(complainant_key_id, 'clear'), count(*)::integer FROM complaints
             WHERE complainant_sealed IS NOT NULL OR num_nonnulls(complainant_name, complainant_phone, complainant_email, complainant_address) > 0
             GROUP BY 1
            """).map { (try $0.decode(String.self, at: 0), Int(try $0.decode(Int32.self, at: 1))) })
    }

    /// How many messages to complainants wait for the gateway under each key id: a key leaves
    /// the ring only once none waits under it (they are delivered, not re-sealed).
    public func waitingMessages() async throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try await owner.query("""
            SELECT sealed_key_id, count(*)::integer FROM complainant_messages WHERE state = 'pending' GROUP BY 1
            """).map { (try $0.decode(String.self, at: 0), Int(try $0.decode(Int32.self, at: 1))) })
    }

    /// Re-seals up to `batch` rows at a time until none is left under another key; with
    /// `dryRun`, only counts what it would re-seal.
    public func reseal(batch: Int = 500, dryRun: Bool = false) async throws -> Resealed {
        var result = Resealed()
        if dryRun {
            let census = try await census()
            result.resealed = census.filter { $0.key != vault.keys.currentKeyID }.map { $0.value }.reduce(0, +)
            return result
        }
        // Branch by branch, so that each claim names one branch (a router query on Citus).
        let branches: [UUID] = try await owner.query("SELECT id FROM branches ORDER BY id").map { try $0.decode(at: 0) }
        for branch in branches {
            try await reseal(branch: branch, batch: batch, into: &result)
        }
        return result
    }

    /// Re-seals one branch's rows under another key, `batch` at a time.
    private func reseal(branch: UUID, batch: Int, into result: inout Resealed) async throws {
        var skipped: [UUID] = []
        while true {
            let done = try await owner.withTransaction { connection -> Int in
                let rows = try await connection.query("""
                    SELECT id, complainant_sealed, complainant_key_id, complainant_name, complainant_phone,
                           complainant_email, complainant_address
                      FROM complaints
                     WHERE branch_id = \(branch)
                       AND ((complainant_sealed IS NOT NULL AND complainant_key_id <> \(vault.keys.currentKeyID))
                            OR (complainant_sealed IS NULL
                                AND num_nonnulls(complainant_name, complainant_phone, complainant_email, complainant_address) > 0))
                       AND NOT (id = ANY (\(skipped)))
                     LIMIT \(Int32(batch)) FOR UPDATE SKIP LOCKED
                    """)
                for row in rows {
                    let id: UUID = try row.decode(at: 0)
                    var data: PersonalData
                    if let box: Data = try row.decode(at: 1), let keyID: String = try row.decode(at: 2) {
                        guard let opened = vault.open(SealedPersonalData(keyID: keyID, box: box), branchID: branch, complaintID: id) else {
                            skipped.append(id)
                            result.unreadable += 1
                            continue
                        }
                        data = opened
                    } else {
                        data = PersonalData(name: try row.decode(at: 3), phone: try row.decode(at: 4), email: try row.decode(at: 5),
                                            address: try row.decode(at: 6))
                    }
                    let sealed = try vault.seal(data, branchID: branch, complaintID: id)
                    try await connection.execute("""
                        UPDATE complaints
                           SET complainant_sealed = \(sealed?.box), complainant_key_id = \(sealed?.keyID),
                               complainant_phone_index = \(vault.phoneIndex(data.phone)), complainant_name = NULL,
                               complainant_phone = NULL, complainant_email = NULL, complainant_address = NULL
                         WHERE branch_id = \(branch) AND id = \(id)
                        """)
                    result.resealed += 1
                }
                return rows.count
            }
            if done == 0 { return }
        }
    }
}
