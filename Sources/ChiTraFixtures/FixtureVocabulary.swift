/// The raw material of generated rolls: Vietnamese names, places and codes, with weights.
/// Everything here is made up from common name parts; no real person is described.
enum FixtureVocabulary {
    /// Family names with weights in ‰ (roughly the national distribution, with Huế's Tôn Thất /
    /// Tôn Nữ, which are male / female forms of one lineage name).
    static let familyNames: [(male: String, female: String, weight: Int)] = [
        ("Nguyễn", "Nguyễn", 370), ("Trần", "Trần", 110), ("Lê", "Lê", 95), ("Phạm", "Phạm", 65),
        ("Hoàng", "Hoàng", 45), ("Huỳnh", "Huỳnh", 25), ("Phan", "Phan", 45), ("Vũ", "Vũ", 20),
        ("Võ", "Võ", 40), ("Đặng", "Đặng", 21), ("Bùi", "Bùi", 20), ("Đỗ", "Đỗ", 14),
        ("Hồ", "Hồ", 28), ("Ngô", "Ngô", 13), ("Dương", "Dương", 10), ("Lý", "Lý", 5),
        ("Đoàn", "Đoàn", 10), ("Trương", "Trương", 12), ("Lương", "Lương", 5), ("Mai", "Mai", 5),
        ("Cao", "Cao", 5), ("Đinh", "Đinh", 6), ("Lưu", "Lưu", 3), ("Châu", "Châu", 3),
        ("Thái", "Thái", 4), ("Hà", "Hà", 4), ("Tôn Thất", "Tôn Nữ", 8)
    ]

    /// Middle names for people born before ~1985: Văn for men, Thị for women, as the registers show.
    static let middleMaleOld: [(String, Int)] = [
        ("Văn", 700), ("Đức", 60), ("Hữu", 60), ("Công", 50), ("Đình", 50), ("Quang", 40), ("Xuân", 20), ("Ngọc", 20),
    ]
    static let middleFemaleOld: [(String, Int)] = [
        ("Thị", 950), ("Ngọc", 20), ("Kim", 10), ("Thu", 10), ("Xuân", 10),
    ]
    static let middleMaleYoung: [(String, Int)] = [
        ("Văn", 300), ("Minh", 120), ("Đức", 100), ("Quang", 80), ("Hữu", 60), ("Công", 60), ("Gia", 60),
        ("Anh", 60), ("Bảo", 60), ("Thanh", 50), ("Ngọc", 50),
    ]
    static let middleFemaleYoung: [(String, Int)] = [
        ("Thị", 350), ("Ngọc", 120), ("Thu", 80), ("Thanh", 80), ("Kim", 70), ("Phương", 60), ("Bảo", 60),
        ("Khánh", 60), ("Mỹ", 60), ("Hoài", 60),
    ]
    /// A second middle name after Thị (“Nguyễn Thị Kim Hoa”).
    static let secondMiddleFemale: [String] = ["Kim", "Thu", "Ngọc", "Diệu", "Bích", "Thanh", "Mỹ", "Hồng"]

    static let givenMaleOld: [String] = [
        "Hùng", "Dũng", "Hải", "Minh", "Nam", "Sơn", "Thắng", "Phúc", "Lộc", "Tài", "Bình", "Cường",
        "Long", "Toàn", "Trung", "Hiếu", "Tâm", "Thành", "Vinh", "Lâm", "Hòa", "Định", "Ba", "Tư",
        "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Lợi", "Thuận", "Phước", "Thọ", "Khánh", "Quý",
        "Đông", "Tùng", "Châu", "Kháng",
    ]
    static let givenFemaleOld: [String] = [
        "Hoa", "Lan", "Hương", "Mai", "Hạnh", "Hằng", "Nga", "Nhung", "Yến", "Loan", "Liên", "Cúc",
        "Đào", "Huệ", "Lài", "Thủy", "Xuân", "Tuyết", "Vân", "Phượng", "Gái", "Lựu", "Mận", "Sen",
        "Hà", "Hiền", "Hồng", "Lệ", "Dung", "Thu", "Tâm", "Châu", "Bông", "Bé", "Nở", "Thơm",
        "Tý", "Lụa", "Hường", "Sương",
    ]
    static let givenMaleYoung: [String] = [
        "An", "Bảo", "Khang", "Khôi", "Phúc", "Minh", "Nam", "Huy", "Đăng", "Quân", "Long", "Khoa",
        "Tín", "Hưng", "Đức", "Thịnh", "Nhật", "Tuấn", "Vũ", "Hiếu", "Hoàng", "Kiên", "Lâm", "Phát",
        "Trí", "Dũng", "Hải", "Sơn", "Thành", "Duy",
    ]
    static let givenFemaleYoung: [String] = [
        "Vy", "Nhi", "My", "Ngân", "Quỳnh", "Trâm", "Thư", "Linh", "Hân", "Anh", "Như", "Uyên",
        "Diệp", "Châu", "Trang", "Thảo", "Hương", "Hà", "Hoa", "Lan", "Mai", "Nga", "Hằng", "Yến",
        "Thủy", "Phương", "Ly", "Giang", "Hiền", "Tâm",
    ]

    /// Provinces of birth registration (first three digits of the personal ID), weights in ‰,
    /// and the first three digits of an old CMND from the same province.
    static let provinces: [(code: String, weight: Int, cmnd: String)] = [
        ("046", 850, "191"), // Thừa Thiên Huế (Huế city)
        ("045", 30, "197"),  // Quảng Trị
        ("048", 30, "201"),  // Đà Nẵng
        ("049", 20, "205"),  // Quảng Nam
        ("001", 20, "011"),  // Hà Nội
        ("079", 20, "025"),  // TP. Hồ Chí Minh
        ("038", 10, "173"),  // Thanh Hóa
        ("040", 10, "187"),  // Nghệ An
        ("042", 5, "183"),   // Hà Tĩnh
        ("044", 5, "194"),   // Quảng Bình
    ]

    /// Banks: BIN, weight in ‰ of bank-paid beneficiaries, account number length.
    static let banks: [(bin: String, weight: Int, accountDigits: Int)] = [
        ("970405", 400, 13), // Agribank
        ("970415", 180, 12), // VietinBank
        ("970418", 150, 12), // BIDV
        ("970436", 120, 13), // Vietcombank
        ("970449", 80, 12),  // LPBank
        ("970407", 8, 14), ("970422", 8, 13), ("970416", 4, 10), ("970432", 5, 10), ("970403", 5, 12),
        ("970423", 3, 11), ("970443", 3, 13), ("970437", 3, 14), ("970441", 3, 12), ("970431", 2, 14),
        ("970448", 2, 12), ("970426", 3, 14), ("970440", 3, 15), ("970428", 2, 12), ("970412", 3, 16),
        ("970409", 2, 13), ("970452", 2, 11), ("970454", 2, 12), ("970400", 2, 12), ("970444", 2, 12),
        ("970446", 3, 12),
    ]
    /// Length of a Vietnam Post account number.
    static let postAccountDigits = 12

    /// Mobile prefixes (10-digit numbers starting 09, 03 or 08).
    static let phonePrefixes: [String] = [
        "090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037",
        "038", "039", "081", "082", "083", "084", "085", "086", "088", "089",
    ]

    /// Streets for ward addresses (Huế).
    static let streets: [String] = [
        "Lê Lợi", "Trần Hưng Đạo", "Hùng Vương", "Lý Thái Tổ", "Nguyễn Văn Linh", "Lý Nhân Tông",
        "Cách Mạng Tháng Tám", "Kim Phụng", "Độc Lập", "Nguyễn Chí Thanh", "Phan Đăng Lưu",
        "Huyền Trân Công Chúa", "Tự Đức", "Bùi Thị Xuân", "Nguyễn Trãi", "Lê Duẩn", "Điện Biên Phủ",
        "Bà Triệu", "Phạm Văn Đồng", "Võ Văn Kiệt", "Tố Hữu", "Nguyễn Sinh Cung", "Hoàng Quốc Việt",
        "Thanh Hải", "Sư Vạn Hạnh", "Kim Trà", "Trường Chinh", "Lý Bôn",
    ]
    /// Village (thôn) names for rural communes.
    static let villages: [String] = [
        "An Lưu", "Thanh Lương", "Bàu Đưng", "Giáp Trung", "Giáp Kiền", "Phú Ốc", "Lại Ân", "Bao Vinh",
        "Hạ Lang", "Thượng Lộc", "Phò Ninh", "Vân Thê", "Thanh Thủy Chánh", "Lương Quán", "Triều Sơn",
        "La Chữ", "Hương Cần", "Xuân Tùy", "Thủ Lễ", "Văn Xá", "Cổ Bi", "Phước Yên", "Kim Đôi",
        "Liễu Cốc", "Mỹ Xuyên", "Phú Lương", "Tân Mỹ", "Đông Hòa", "Tây Thượng", "Sơn Công",
        "Bình Điền", "Hòa Bình", "Hiền Sĩ", "Đức Bưu", "Lai Thành",
    ]
    /// Landmarks used in the rare address that contains double quotes (to exercise `""`).
    static let landmarks: [String] = ["Bến Ngự", "Đông Ba", "Cây Đa", "Kẻ Vạn", "An Cựu"]

    /// Syllables for made-up commune names: first and second, disjoint, and unable to form
    /// “Hương Trà” (the seed ward, always commune 0).
    static let communeFirst: [String] = [
        "Phong", "Quảng", "Thủy", "Phú", "Vinh", "Lộc", "Điền", "Thuận", "Bình", "Tân", "Đông", "Tây",
        "Nam", "Bắc", "Trung", "Kim", "Long", "Xuân", "Thanh", "Mỹ", "Gia", "Đức", "Hưng", "Phước",
        "Minh", "Hồng", "Quang", "Cẩm", "Hải", "Tam",
    ]
    static let communeSecond: [String] = [
        "Sơn", "Hà", "Thọ", "Hòa", "An", "Lợi", "Thạnh", "Thành", "Giang", "Lâm", "Dương", "Thịnh",
        "Nghĩa", "Khê", "Mậu", "Chánh", "Xương", "Hiền", "Lương", "Bằng", "Tiến", "Yên", "Phương",
        "Châu", "Cường", "Định", "Tường", "Ninh", "Khánh", "Trạch",
    ]
    static let seedCommune = "Phường Hương Trà"
}
