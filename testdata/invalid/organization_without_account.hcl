organization {
}
