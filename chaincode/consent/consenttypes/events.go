package consenttypes

import "time"

// Event names, one per transaction.
const (
	EvConsentGranted    = "ConsentGranted"
	EvConsentRevoked    = "ConsentRevoked"
	EvConsentDataShared = "ConsentDataShared"
	EvConsentDataPurged = "ConsentDataPurged"
)

// Event payloads carry no personal data and no shared data: VINs, grant
// IDs, ownership numbers, key fingerprints (pseudonyms for one car's
// ownership), scopes and MSP IDs.

// ConsentGranted is the payload of EvConsentGranted.
type ConsentGranted struct {
	VIN            string    `json:"vin"`
	GrantID        string    `json:"grantId"`
	OwnerNo        int       `json:"ownerNo"`
	Grantee        string    `json:"grantee"`
	Scopes         []string  `json:"scopes"`
	Purpose        string    `json:"purpose"`
	NotAfter       time.Time `json:"notAfter"`
	KeyFingerprint string    `json:"keyFingerprint"`
}

// ConsentRevoked is the payload of EvConsentRevoked. The data shared under
// the grant is purged by consent:Purge, which the holder's peer endorses.
type ConsentRevoked struct {
	VIN       string    `json:"vin"`
	GrantID   string    `json:"grantId"`
	OwnerNo   int       `json:"ownerNo"`
	Grantee   string    `json:"grantee"`
	RevokedAt time.Time `json:"revokedAt"`
}

// ConsentDataShared is the payload of EvConsentDataShared; the data itself
// stays in the named collection.
type ConsentDataShared struct {
	VIN        string `json:"vin"`
	GrantID    string `json:"grantId"`
	Scope      string `json:"scope"`
	Collection string `json:"collection"`
	SharedBy   string `json:"sharedBy"`
}

// ConsentDataPurged is the payload of EvConsentDataPurged.
type ConsentDataPurged PurgeResult
