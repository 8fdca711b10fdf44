locals {
  bucket = "productionapp"
}

locals {
  bucket = "otherapp"
}
