//! The customer queries: the `customers` list (with its page prefetch, see `page`), and the
//! wizard's review helpers `domainAvailable` and `previewOrder`.

use super::graphql::Customer;
use super::pricing::{self, LineRequest};
use super::{access, onboarding, page};
use crate::auth;
use crate::catalog::{Money, Offer};
use crate::error::ApiError;
use crate::graphql::connection::{self, Page, PageArgs};
use crate::graphql::loaders::loaders;
use crate::graphql::user_error::UserError;
use crate::graphql::{db, ids, search};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::customer;
use entity::terms::TermDuration;
use sea_orm::{ColumnTrait, Condition, QueryFilter};

/// Narrows `customers`; every field given must match.
#[derive(InputObject, Default)]
pub struct CustomerFilter {
    /// Only customers delegated to this reseller (a `Partner` id).
    indirect_reseller_id: Option<ID>,
    /// Case-insensitive part of the company name or domain (at most 200 characters; blank
    /// for no filter).
    search: Option<String>,
}

/// One line to price in `previewOrder`.
#[derive(InputObject)]
pub struct PreviewLineInput {
    /// The offer to buy; an id that is not an offer reads as "no such offer".
    pub offer_id: ID,
    /// Number of licenses, within the offer's limits.
    pub quantity: i32,
    /// The commitment term, one of the offer's `terms`; the offer's first when absent.
    pub term: Option<TermDuration>,
    /// Renew at the end of each term (default true).
    #[graphql(default = true)]
    pub auto_renew: bool,
}

/// Input of `previewOrder`.
#[derive(InputObject)]
pub struct PreviewOrderInput {
    /// The customer's country (ISO 3166-1 alpha-2): offers must be sold there.
    country: String,
    /// The lines to check and price (at most 100).
    lines: Vec<PreviewLineInput>,
    /// A provider: the partner reseller to price the lines for (`resellerUnitPrice`).
    /// A reseller always sees its own price; others never see one.
    indirect_reseller_id: Option<ID>,
}

/// One priced line of an order preview.
#[derive(SimpleObject)]
pub struct PreviewedLine {
    /// The offer.
    offer: Offer,
    /// Number of licenses asked for.
    quantity: i32,
    /// Licenses times the offer's monthly unit price.
    monthly_total: Money,
    /// The offer's list price of one license for one month, now.
    list_unit_price: Money,
    /// What the reseller would pay for one license for one month now (see
    /// `PreviewOrderInput.indirectResellerId`); null when there is no such reseller.
    reseller_unit_price: Option<Money>,
    /// The commitment term the subscription would have.
    term: TermDuration,
    /// Whether it would renew at the term's end.
    auto_renew: bool,
}

/// The review step: what the order would cost, and every problem with it. Writes nothing.
#[derive(SimpleObject)]
pub struct OrderPreview {
    /// True when the order can be submitted as it is.
    valid: bool,
    /// The lines whose offer exists, priced (also when they have problems).
    lines: Vec<PreviewedLine>,
    /// Sum of the lines' monthly totals, in the currency of the first line (USD when
    /// there is none).
    monthly_total: Money,
    /// Every problem found, each pointing at its field: `INVALID` (country, unknown
    /// offer), `OFFER_NOT_AVAILABLE`, `OUT_OF_RANGE` (quantity, more than 100 lines).
    problems: Vec<UserError>,
}

/// Whether a domain can be given to a new customer.
#[derive(SimpleObject)]
pub struct DomainAvailability {
    /// The domain as it would be stored (trimmed, lower-cased), or as given when malformed.
    domain: String,
    /// True when no customer uses the domain and it is well-formed.
    available: bool,
    /// Why it is not available.
    reason: Option<String>,
}

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// Customers the caller may see: a provider's own, a reseller's delegated ones, a
    /// customer user's own record. Newest first. Platform administrators get `FORBIDDEN`
    /// (reason `PARTNERS_ONLY`).
    #[graphql(complexity = "connection::cost(first, last, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Reseller and text to match; every visible customer if absent.")]
        filter: Option<CustomerFilter>,
        #[graphql(desc = "Items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
        #[graphql(desc = "Items before this cursor (a `startCursor` or edge `cursor`).")]
        before: Option<String>,
        #[graphql(
            desc = "The first n items, 0 to 100. Give `first` or `last` (not both): \
                    without either the field answers `BAD_USER_INPUT`."
        )]
        first: Option<i32>,
        #[graphql(desc = "The last n items, 0 to 100. Give `first` or `last` (not both).")]
        last: Option<i32>,
    ) -> Result<Page<Customer>> {
        let actor = auth::actor(ctx)?;
        let args = PageArgs::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let mut select = access::visible_customers(actor)?;
        if let Some(id) = filter.indirect_reseller_id {
            let reseller = ids::decode_as(ids::NodeType::Partner, &id)?;
            // Delegated: an ACTIVE admin relationship in force, whatever the cached column says.
            select = select.filter(customer::Column::Id.in_subquery(
                crate::admin_relationships::access::customers_of(reseller, chrono::Utc::now()),
            ));
        }
        if let Some(text) = &search::SearchTerm::parse(filter.search.as_deref(), "search")? {
            select = select.filter(
                Condition::any()
                    .add(search::contains(customer::Column::CompanyName, text))
                    .add(search::contains(customer::Column::Domain, text)),
            );
        }
        let prefetch = page::Prefetch::for_page(ctx.field());
        let page =
            connection::paginate_by_key(db(ctx), select, customer::Column::Id, args, Customer)
                .await?;
        let rows: Vec<&customer::Model> = page.edges.iter().map(|e| &e.node.0).collect();
        prefetch.load(db(ctx), loaders(ctx), &rows).await?;
        Ok(page)
    }

    /// Provider ADMIN or SALES_AGENT (enrollment ACTIVE): whether a new customer may use
    /// this domain (the wizard's check). Others get `FORBIDDEN` (reason `PROVIDER_ONLY` or
    /// `SALES_ONLY`); a provider whose enrollment is not ACTIVE gets `BAD_USER_INPUT`
    /// (reason `PROVIDER_NOT_ACTIVE`).
    async fn domain_available(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A domain name such as fourthcoffee.example.")] domain: String,
    ) -> Result<DomainAvailability> {
        super::eligibility::ordering_provider(auth::actor(ctx)?)?;
        Ok(match onboarding::normalize_domain(&domain) {
            Err(ApiError::User(e)) => DomainAvailability {
                domain,
                available: false,
                reason: Some(e.message.render(crate::language::of_request(ctx))),
            },
            Err(e) => return Err(e.into()),
            Ok(normalized) => {
                let taken = onboarding::domain_taken(db(ctx), &normalized).await?;
                DomainAvailability {
                    domain: normalized,
                    available: !taken,
                    reason: taken.then(|| {
                        worker::msg!("error-domain-taken").render(crate::language::of_request(ctx))
                    }),
                }
            }
        })
    }

    /// Any signed-in user: checks and prices order lines for the wizard's review step.
    /// Writes nothing; problems are in the answer, not errors.
    async fn preview_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The customer's country and the lines to check.")]
        input: PreviewOrderInput,
    ) -> Result<OrderPreview> {
        let actor = auth::actor(ctx)?;
        let country = crate::accounts::validate::country(&input.country, &["input", "country"]);
        let (country, mut problems) = match country {
            Ok(c) => (c, Vec::new()),
            Err(ApiError::User(e)) => (String::new(), vec![e]),
            Err(e) => return Err(e.into()),
        };
        let mut requests = Vec::with_capacity(input.lines.len());
        for line in &input.lines {
            requests.push(LineRequest {
                // An id that is not an offer id reads as "no such offer".
                offer_id: ids::decode_as(ids::NodeType::Offer, &line.offer_id).unwrap_or(0),
                quantity: line.quantity,
                partner_of_record_id: None,
                term: line.term,
                auto_renew: line.auto_renew,
            });
        }
        let checked = pricing::check(db(ctx), &country, &requests)
            .await
            .map_err(ApiError::from)?;
        problems.extend(checked.problems);
        let currency = checked
            .lines
            .first()
            .map_or("USD".to_owned(), |l| l.offer.currency.clone());
        let total: i64 = checked.lines.iter().map(|l| l.monthly_total_minor()).sum();
        let pair = crate::price_lists::graphql::preview_pair(
            db(ctx),
            actor,
            input.indirect_reseller_id.as_ref(),
        )
        .await?;
        let now = chrono::Utc::now();
        let mut lines = Vec::with_capacity(checked.lines.len());
        for l in checked.lines {
            let reseller_unit_price = match pair {
                Some((provider, reseller)) => Some(Money::new(
                    crate::price_lists::resolve::reseller_unit_price(
                        db(ctx),
                        provider,
                        reseller,
                        &l.offer,
                        now,
                    )
                    .await
                    .map_err(ApiError::from)?,
                    &l.offer.currency,
                )),
                None => None,
            };
            lines.push(PreviewedLine {
                monthly_total: Money::new(l.monthly_total_minor(), &l.offer.currency),
                list_unit_price: Money::new(l.offer.monthly_unit_price_minor, &l.offer.currency),
                reseller_unit_price,
                term: l.term,
                auto_renew: l.auto_renew,
                quantity: l.quantity,
                offer: Offer(l.offer),
            });
        }
        Ok(OrderPreview {
            valid: problems.is_empty() && !requests.is_empty(),
            lines,
            monthly_total: Money::new(total, &currency),
            problems,
        })
    }
}
