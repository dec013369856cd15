import Crypto
import Foundation
import RedressCore

/// A complainant's personal data as it is sealed: name, phone, email, address and ID number.
struct PersonalData: Codable, Equatable {
    var name: String?
    var phone: String?
    var email: String?
    var address: String?
    var idNumber: String?
}

/// A complaint's sealed personal data as stored: which key sealed it, and the AES-256-GCM box
/// (nonce, ciphertext and tag).
struct SealedPersonalData: Sendable, Equatable {
    var keyID: String
    var box: Data
}

/// Seals and opens complainants' personal data with AES-256-GCM. The associated data binds each
/// box to its branch and complaint, so a box copied onto another row does not open. The blind
/// index is HMAC-SHA256 of the phone's digits under a key of its own.
struct PersonalDataVault: Sendable {
    let keys: PersonalDataKeys

    static func associatedData(branchID: UUID, complaintID: UUID) -> Data {
        Data("redress.complainant.v1|\(branchID.uuidString.lowercased())|\(complaintID.uuidString.lowercased())".utf8)
    }

    /// The box of `data` under the current key; nil when there is nothing to seal.
    func seal(_ data: PersonalData, branchID: UUID, complaintID: UUID) throws -> SealedPersonalData? {
        guard data != PersonalData() else { return nil }
        return try seal(JSONEncoder().encode(data), authenticating: Self.associatedData(branchID: branchID, complaintID: complaintID))
    }

    /// The data in `sealed`; nil when its key is not in the ring or the box does not open.
    func open(_ sealed: SealedPersonalData, branchID: UUID, complaintID: UUID) -> PersonalData? {
        open(sealed, authenticating: Self.associatedData(branchID: branchID, complaintID: complaintID))
    }

    /// The AES-256-GCM box of the JSON `plaintext` under the current key, bound to `associatedData`.
    func seal(_ plaintext: Data, authenticating associatedData: Data) throws -> SealedPersonalData {
        let box = try AES.GCM.seal(plaintext, using: keys.key(keys.currentKeyID)!, authenticating: associatedData)
        return SealedPersonalData(keyID: keys.currentKeyID, box: box.combined!)
    }

    /// The JSON value in `sealed`, bound to `associatedData`; nil when its key is not in the ring,
    /// the box does not open or does not hold a `Value`.
    func open<Value: Decodable>(_ sealed: SealedPersonalData, authenticating associatedData: Data) -> Value? {
        guard let key = keys.key(sealed.keyID), let box = try? AES.GCM.SealedBox(combined: sealed.box),
              let plaintext = try? AES.GCM.open(box, using: key, authenticating: associatedData)
        else { return nil }
        return try? JSONDecoder().decode(Value.self, from: plaintext)
    }

    /// The blind index of a phone number: the same digits give the same index, whatever the spacing.
    func phoneIndex(_ phone: String?) -> Data? {
        guard let phone else { return nil }
        let digits = phone.filter(\.isASCIIDigit)
        guard !digits.isEmpty else { return nil }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(digits.utf8), using: keys.indexKey))
    }

    /// The digest an access code is stored as: HMAC-SHA256 under the blind-index key, so the
    /// database alone cannot tell which code opens a case.
    func accessCodeDigest(_ code: AccessCode) -> Data {
        keys.accessCodeDigest(code)
    }

    /// Fills in the complainant from the sealed box, masked unless `scope` sees the personal data
    /// of the complaint's branch in full (roles that serve customers, in their home branch only).
    func reveal(_ complaint: inout Complaint, to scope: AccessScope) {
        guard let sealed = complaint.sealedComplainant else { return mask(&complaint, for: scope) }
        reveal(&complaint, opened: open(sealed, branchID: complaint.branchId, complaintID: complaint.id), to: scope)
    }

    /// Fills in the complainant from `data`, the box's contents already in hand (intake, which
    /// sealed them), masked as ``reveal(_:to:)`` masks them.
    func reveal(_ complaint: inout Complaint, opened data: PersonalData?, to scope: AccessScope) {
        complaint.complainant.name = data?.name
        complaint.complainant.phone = data?.phone
        complaint.complainant.email = data?.email
        complaint.complainant.address = data?.address
        complaint.complainant.idNumber = data?.idNumber
        complaint.sealedComplainant = nil
        mask(&complaint, for: scope)
    }

    private func mask(_ complaint: inout Complaint, for scope: AccessScope) {
        guard !scope.personalDataBranchIDs.contains(complaint.branchId) else { return }
        complaint.complainant.name = complaint.complainant.name.map(PersonalDataMask.name)
        complaint.complainant.phone = complaint.complainant.phone.map(PersonalDataMask.digits)
        complaint.complainant.email = complaint.complainant.email.map(PersonalDataMask.email)
        complaint.complainant.address = complaint.complainant.address.map(PersonalDataMask.address)
        complaint.complainant.idNumber = complaint.complainant.idNumber.map(PersonalDataMask.digits)
    }
}
