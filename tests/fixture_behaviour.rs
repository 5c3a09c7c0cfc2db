//! Behaviour of generated code for constructs the vendor specs do not use,
//! compiled from the fixtures by `build.rs`: what a user of such a spec
//! relies on when values cross the wire.

#![allow(clippy::all, dead_code)]

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

use serde_json::json;

/// An `allOf` with a discriminated union member: the struct's own fields and
/// the chosen branch's fields share one JSON object, tag included.
#[test]
fn flattened_unions_round_trip_with_their_discriminator() {
    use composition::types::{BpsFee, Fee, FeeVariant, FixedFee};
    let fixed = json!({"feeType": "ORDER", "amountType": "FIXED", "amount": "0.01"});
    let fee: Fee = serde_json::from_value(fixed.clone()).expect("a fixed fee decodes");
    assert_eq!(
        fee,
        Fee {
            fee_type: "ORDER".into(),
            variant: FeeVariant::Fixed(FixedFee {
                amount_type: "FIXED".into(),
                amount: "0.01".into()
            }),
        }
    );
    assert_eq!(serde_json::to_value(&fee).expect("encodes"), fixed);

    let bps: Fee =
        serde_json::from_value(json!({"feeType": "NETWORK", "amountType": "BPS", "bps": 12.5}))
            .expect("bps decodes");
    assert_eq!(
        bps.variant,
        FeeVariant::Bps(BpsFee {
            amount_type: "BPS".into(),
            bps: 12.5
        })
    );

    let unknown = serde_json::from_value::<Fee>(json!({"feeType": "X", "amountType": "PERCENT"}))
        .unwrap_err();
    assert!(
        unknown
            .to_string()
            .contains("`amountType` must be one of `FIXED`, `BPS`"),
        "{unknown}"
    );
}

/// A discriminated union keeps the tag its branch struct requires.
#[test]
fn discriminated_unions_keep_the_tag_their_branch_requires() {
    use composition::types::{Factor, Sms};
    let value = json!({"method": "sms", "phone": "+15550100"});
    let factor: Factor = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(
        factor,
        Factor::Sms(Sms {
            method: "sms".into(),
            phone: "+15550100".into()
        })
    );
    assert_eq!(serde_json::to_value(&factor).expect("encodes"), value);
}

/// Untagged unions try each branch: a string or an object.
#[test]
fn untagged_unions_take_the_branch_that_fits() {
    use composition::types::{Base, IdOrObject};
    assert_eq!(
        serde_json::from_value::<IdOrObject>(json!("abc")).unwrap(),
        IdOrObject::String("abc".into())
    );
    assert_eq!(
        serde_json::from_value::<IdOrObject>(json!({"id": "abc"})).unwrap(),
        IdOrObject::Base(Base { id: "abc".into() })
    );
}

/// A recursive schema is boxed where it recurses directly.
#[test]
fn recursive_types_nest() {
    use composition::types::Tree;
    let value = json!({"parent": {"children": [{}]}, "children": []});
    let tree: Tree = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(
        tree.parent
            .as_ref()
            .and_then(|p| p.children.as_ref())
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(serde_json::to_value(&tree).unwrap(), value);
}
