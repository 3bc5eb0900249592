//! Price lists (issue 24): what each reseller pays its provider. A provider keeps lists of
//! per-offer prices (a fixed amount or a markup on the list price), versioned by
//! `effectiveFrom` and never edited in place, assigns each list to some of its partner
//! resellers (one default list for the rest), and the price in force is recorded on order
//! lines. Owns `priceLists`, `createPriceList`, `setResellerPrice`, `assignPriceList` and
//! `Offer.resellerPrice`/`resellerPriceFor`. Money is integer minor units throughout.

pub mod graphql;
pub mod loader;
pub mod margin;
mod mutations;
pub mod service;

// The pricing rule lives in `entity::pricing` so that the worker's renewals use it too.
pub use entity::pricing::{markup, resolve};

pub use graphql::{PriceList, ResellerPrice};
pub use mutations::{PriceListMutation, PriceListQuery};
