import Foundation

/// The FHIR R4 data types and resources the mCODE export writes, as typed Encodable structs. A choice
/// element (`value[x]`, `effective[x]`) is one optional property per type the export uses, so only the one
/// set is encoded. Only the elements the export fills are modelled.
struct FHIRCoding: Encodable, Hashable {
    var system: String?
    var version: String?
    var code: String?
    var display: String?
}

struct FHIRCodeableConcept: Encodable, Hashable {
    var coding: [FHIRCoding]?
    var text: String?

    init(_ coding: FHIRCoding? = nil, text: String? = nil) {
        self.coding = coding.map { [$0] }
        self.text = text
    }
}

/// A reference by `fullUrl` inside the bundle, or by business identifier to a resource the bundle does not hold
/// (a trial by its NCT number).
struct FHIRReference: Encodable, Hashable {
    var reference: String?
    var identifier: FHIRIdentifier?
    var display: String?

    init(reference: String) { self.reference = reference }

    init(identifier: FHIRIdentifier, display: String? = nil) {
        self.identifier = identifier
        self.display = display
    }
}

struct FHIRIdentifier: Encodable, Hashable {
    var system: String
    var value: String
}

struct FHIRQuantity: Encodable, Hashable {
    var value: Decimal
    var unit: String
    var system = "http://unitsofmeasure.org"
    var code: String

    static func millimetres(_ value: Decimal) -> FHIRQuantity { FHIRQuantity(value: value, unit: "mm", code: "mm") }
}

struct FHIRPeriod: Encodable, Hashable {
    var start: String
    var end: String?
}

struct FHIRExtension: Encodable, Hashable {
    var url: String
    var valueCodeableConcept: FHIRCodeableConcept?
    var valuePositiveInt: Int?
    var valueString: String?
    var valueCode: String?
    var valueBoolean: Bool?
    var valueReference: FHIRReference?
}

struct FHIRMeta: Encodable, Hashable {
    var profile: [String]

    init(_ profile: String) { self.profile = [profile] }
}

struct FHIRAnnotation: Encodable, Hashable {
    var text: String
}

struct FHIRPatient: Encodable {
    let resourceType = "Patient"
    var id: String
    var meta: FHIRMeta
    var identifier: [FHIRIdentifier]
    var gender: String
    var deceasedDateTime: String?
    var deceasedBoolean: Bool?
}

struct FHIRCondition: Encodable {
    let resourceType = "Condition"
    var id: String
    var meta: FHIRMeta
    var `extension`: [FHIRExtension]
    var verificationStatus: FHIRCodeableConcept
    var category: [FHIRCodeableConcept]
    var code: FHIRCodeableConcept
    var bodySite: [FHIRCodeableConcept]
    var subject: FHIRReference
    var onsetDateTime: String
}

struct FHIRObservationComponent: Encodable, Hashable {
    var code: FHIRCodeableConcept
    var valueCodeableConcept: FHIRCodeableConcept?
    var valueQuantity: FHIRQuantity?
    var dataAbsentReason: FHIRCodeableConcept?
}

struct FHIRObservation: Encodable {
    let resourceType = "Observation"
    var id: String
    var meta: FHIRMeta?
    var `extension`: [FHIRExtension]?
    var status = "final"
    var category: [FHIRCodeableConcept]?
    var code: FHIRCodeableConcept
    var subject: FHIRReference
    var focus: [FHIRReference]?
    var effectiveDateTime: String?
    var valueCodeableConcept: FHIRCodeableConcept?
    var dataAbsentReason: FHIRCodeableConcept?
    var note: [FHIRAnnotation]?
    var method: FHIRCodeableConcept?
    var derivedFrom: [FHIRReference]?
    var component: [FHIRObservationComponent]?
}

struct FHIRDosage: Encodable, Hashable {
    var text: String
}

struct FHIRMedicationAdministration: Encodable {
    let resourceType = "MedicationAdministration"
    var id: String
    var meta: FHIRMeta
    var `extension`: [FHIRExtension]
    var status: String
    var statusReason: [FHIRCodeableConcept]?
    var medicationCodeableConcept: FHIRCodeableConcept
    var subject: FHIRReference
    var effectivePeriod: FHIRPeriod
    var reasonReference: [FHIRReference]?
    var dosage: FHIRDosage?
}

struct FHIRBodyStructure: Encodable {
    let resourceType = "BodyStructure"
    var id: String
    var meta: FHIRMeta
    var `extension`: [FHIRExtension]
    var identifier: [FHIRIdentifier]
    var location: FHIRCodeableConcept?
    var patient: FHIRReference
}

struct FHIRSuspectEntity: Encodable, Hashable {
    struct Causality: Encodable, Hashable {
        var assessment: FHIRCodeableConcept
    }

    var instance: FHIRReference
    var causality: [Causality]
}

struct FHIRAdverseEvent: Encodable {
    let resourceType = "AdverseEvent"
    var id: String
    var `extension`: [FHIRExtension]
    var actuality = "actual"
    var event: FHIRCodeableConcept
    var subject: FHIRReference
    var date: String
    var seriousness: FHIRCodeableConcept
    var outcome: FHIRCodeableConcept
    var suspectEntity: [FHIRSuspectEntity]?
}

struct FHIRResearchSubject: Encodable {
    let resourceType = "ResearchSubject"
    var id: String
    var status: String
    var period: FHIRPeriod
    var study: FHIRReference
    var individual: FHIRReference
    var assignedArm: String?
}

/// One resource of a bundle.
enum FHIRResource: Encodable {
    case patient(FHIRPatient)
    case condition(FHIRCondition)
    case observation(FHIRObservation)
    case medicationAdministration(FHIRMedicationAdministration)
    case bodyStructure(FHIRBodyStructure)
    case adverseEvent(FHIRAdverseEvent)
    case researchSubject(FHIRResearchSubject)

    var typeAndID: (type: String, id: String) {
        switch self {
        case .patient(let r): (r.resourceType, r.id)
        case .condition(let r): (r.resourceType, r.id)
        case .observation(let r): (r.resourceType, r.id)
        case .medicationAdministration(let r): (r.resourceType, r.id)
        case .bodyStructure(let r): (r.resourceType, r.id)
        case .adverseEvent(let r): (r.resourceType, r.id)
        case .researchSubject(let r): (r.resourceType, r.id)
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .patient(let r): try r.encode(to: encoder)
        case .condition(let r): try r.encode(to: encoder)
        case .observation(let r): try r.encode(to: encoder)
        case .medicationAdministration(let r): try r.encode(to: encoder)
        case .bodyStructure(let r): try r.encode(to: encoder)
        case .adverseEvent(let r): try r.encode(to: encoder)
        case .researchSubject(let r): try r.encode(to: encoder)
        }
    }
}

struct FHIRBundleEntry: Encodable {
    var fullUrl: String
    var resource: FHIRResource
}

struct FHIRBundle: Encodable {
    let resourceType = "Bundle"
    var id: String
    var meta: FHIRMeta
    var type = "collection"
    var entry: [FHIRBundleEntry]
}
