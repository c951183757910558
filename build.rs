fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
