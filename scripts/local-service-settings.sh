# Sourced by start.sh and bench/run.sh, so both run the topology with the same settings (the ones the Helm chart
# gives each service, with direct HTTP in place of Dapr). The caller defines `url NAME` (a service's base URL).

# The other domain services' base URLs: the event subscribers of NAME in direct mode.
domain_subscribers() {
  local other out=()
  for other in users roles orgunits; do [[ "$other" != "$1" ]] && out+=("$(url "$other")"); done
  (IFS=,; echo "${out[*]}")
}

# service_settings NAME ENVIRONMENT ENGINE CONNECTION_STRING INTERNAL_TOKEN ADMIN_TOKEN
# Prints the service's environment, one KEY=VALUE a line (read it with mapfile -t).
service_settings() {
  local name="$1"
  printf '%s\n' \
    "ASPNETCORE_URLS=$(url "$name")" \
    "ASPNETCORE_ENVIRONMENT=$2" \
    "Store__Engine=$3" \
    "Store__ConnectionString=$4" \
    "APP_API_TOKEN=$5" \
    "Events__Mode=direct" \
    "Events__Subscribers=$(domain_subscribers "$name")"
  if [[ "$name" == scim-edge ]]; then
    printf '%s\n' \
      "SCIM_ADMIN_TOKEN=$6" \
      "Scim__PublicBaseUrl=$(url scim-edge)/v1/scim" \
      "Services__Mode=direct" \
      "Services__InternalToken=$5" \
      "Services__Users__BaseUrl=$(url users)" \
      "Services__Roles__BaseUrl=$(url roles)" \
      "Services__OrgUnits__BaseUrl=$(url orgunits)"
  fi
}
