-- Service coverage per estate and month: which of the six standard services are met, the service
-- rate, and the facility-based N indicators.
select
    s.month,
    s.estate_code,
    e.district_code,
    s.primary_school_1km,
    s.kindergarten_1km,
    s.health_centre_1km,
    s.bus_stop_500m,
    s.market_1km,
    s.elderly_service,
    s.service_rate,
    s.elderly_coverage,
    s.facility_completeness
from {{ ref('int_estate_month_services') }} s
join {{ ref('int_estate_months') }} e using (month, estate_code)
